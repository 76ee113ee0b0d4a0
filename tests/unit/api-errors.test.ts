// The API's error catalogue: each constructor answers with its documented status and code, and every
// code the API may answer with has exactly one constructor.
import { API_ERROR_CODES, AppError, apiErrors } from '../../src/app-error.js';

type Row = [name: keyof typeof apiErrors, build: () => AppError, status: number, code: string, message: string];

const rows: Row[] = [
  ['validation', () => apiErrors.validation('amount is invalid'), 400, 'VALIDATION_ERROR', 'amount is invalid'],
  [
    'missingCredentials',
    () => apiErrors.missingCredentials(['clientId', 'clientSecret']),
    400,
    'MISSING_CREDENTIALS',
    'Missing required fields: clientId, clientSecret',
  ],
  ['walletMissing', () => apiErrors.walletMissing(), 400, 'WALLET_ERROR', 'Wallet not found for this user. Call POST /api/v1/wallet/create first.'],
  ['addressMismatch', () => apiErrors.addressMismatch(), 400, 'ADDRESS_MISMATCH', 'userAddress does not match wallet on record'],
  ['insufficientBalance', () => apiErrors.insufficientBalance(), 400, 'INSUFFICIENT_BALANCE', 'Insufficient balance'],
  ['invalidNonce', () => apiErrors.invalidNonce('nonce 3 is not current'), 400, 'INVALID_NONCE', 'nonce 3 is not current'],
  ['invalidSignature', () => apiErrors.invalidSignature('wrong signer'), 400, 'INVALID_SIGNATURE', 'Client signature verification failed: wrong signer'],
  ['mintExpired', () => apiErrors.mintExpired('expiryBlock 9 has passed'), 400, 'MINT_EXPIRED', 'expiryBlock 9 has passed'],
  ['claimIdMismatch', () => apiErrors.claimIdMismatch(), 400, 'CLAIM_ID_MISMATCH', 'claimIdBytes32 does not equal keccak256(claimId)'],
  [
    'webhookNotConfigured',
    () => apiErrors.webhookNotConfigured(),
    400,
    'WEBHOOK_NOT_CONFIGURED',
    'No webhook URL is configured for this client; an operator sets one with `chronos clients set-webhook`',
  ],
  ['unauthorized', () => apiErrors.unauthorized(), 401, 'UNAUTHORIZED', 'Missing or invalid access token'],
  ['invalidSecret', () => apiErrors.invalidSecret(), 401, 'INVALID_SECRET', 'Invalid credentials'],
  ['forbidden', () => apiErrors.forbidden("This token lacks the 'mint' scope"), 403, 'FORBIDDEN', "This token lacks the 'mint' scope"],
  ['policyDisabled', () => apiErrors.policyDisabled(), 403, 'POLICY_DISABLED', 'Transaction policy is disabled for this client'],
  ['notFound', () => apiErrors.notFound(), 404, 'NOT_FOUND', 'No such endpoint'],
  ['invalidTransactionId', () => apiErrors.invalidTransactionId(), 400, 'INVALID_TRANSACTION_ID', 'Transaction ID must be a valid tx_ prefixed identifier'],
  ['transactionNotFound', () => apiErrors.transactionNotFound('tx_1'), 404, 'TRANSACTION_NOT_FOUND', 'Transaction tx_1 not found'],
  ['walletNotFound', () => apiErrors.walletNotFound(), 404, 'WALLET_NOT_FOUND', 'Wallet not found. Create a wallet first.'],
  ['policyNotFound', () => apiErrors.policyNotFound(), 404, 'POLICY_NOT_FOUND', 'Transaction policy not configured for this client'],
  ['deliveryNotFound', () => apiErrors.deliveryNotFound('whd_1'), 404, 'DELIVERY_NOT_FOUND', 'Webhook delivery whd_1 not found'],
  ['intentNotFound', () => apiErrors.intentNotFound('pi_1'), 404, 'INTENT_NOT_FOUND', 'Payment intent pi_1 not found'],
  ['escrowNotFound', () => apiErrors.escrowNotFound('0x01'), 404, 'ESCROW_NOT_FOUND', 'Escrow 0x01 not found'],
  ['methodNotAllowed', () => apiErrors.methodNotAllowed(), 405, 'METHOD_NOT_ALLOWED', 'Method not allowed on this endpoint'],
  [
    'idempotencyConflict',
    () => apiErrors.idempotencyConflict(),
    409,
    'IDEMPOTENCY_CONFLICT',
    'This X-Idempotency-Key was already used with a different request',
  ],
  ['receiptAlreadyMinted', () => apiErrors.receiptAlreadyMinted(), 409, 'RECEIPT_ALREADY_MINTED', 'Receipt has already been minted'],
  ['claimAlreadyUsed', () => apiErrors.claimAlreadyUsed(), 409, 'CLAIM_ALREADY_USED', 'This claim id has already been used'],
  ['deliveryInProgress', () => apiErrors.deliveryInProgress('Delivery whd_1 is still PENDING'), 409, 'DELIVERY_IN_PROGRESS', 'Delivery whd_1 is still PENDING'],
  [
    'amountOutOfRange',
    () => apiErrors.amountOutOfRange('amount must be at most 5 of token 0x…'),
    400,
    'AMOUNT_OUT_OF_RANGE',
    'amount must be at most 5 of token 0x…',
  ],
  ['escrowAlreadyFunded', () => apiErrors.escrowAlreadyFunded(), 409, 'ESCROW_ALREADY_FUNDED', 'This escrow is already funded or being funded'],
  [
    'escrowNotFunded',
    () => apiErrors.escrowNotFunded('funding'),
    409,
    'ESCROW_NOT_FUNDED',
    'This escrow is funding, not funded: only a funded escrow can be released or refunded',
  ],
  ['escrowAlreadySettled', () => apiErrors.escrowAlreadySettled(), 409, 'ESCROW_ALREADY_SETTLED', 'This escrow is already released or refunded, or being so'],
  ['certificateNotFound', () => apiErrors.certificateNotFound('cert_x'), 404, 'CERTIFICATE_NOT_FOUND', 'Certificate cert_x not found'],
  [
    'certificatesNotEnabled',
    () => apiErrors.certificatesNotEnabled(),
    409,
    'CERTIFICATES_NOT_ENABLED',
    'This client has no ChronosCertificate contract: its operator runs `chronos clients enable-certificates CLIENT_ID`',
  ],
  [
    'certificateAlreadyIssued',
    () => apiErrors.certificateAlreadyIssued(),
    409,
    'CERTIFICATE_ALREADY_ISSUED',
    'A certificate with this verificationHash is already issued or being issued',
  ],
  [
    'certificateNotIssued',
    () => apiErrors.certificateNotIssued('issuing'),
    409,
    'CERTIFICATE_NOT_ISSUED',
    'This certificate is issuing, not issued: only an issued certificate can be revoked',
  ],
  [
    'certificateAlreadyRevoked',
    () => apiErrors.certificateAlreadyRevoked(),
    409,
    'CERTIFICATE_ALREADY_REVOKED',
    'This certificate is already revoked or being revoked',
  ],
  [
    'withdrawalDestinationNotAllowed',
    () => apiErrors.withdrawalDestinationNotAllowed('0x01'),
    403,
    'WITHDRAWAL_DESTINATION_NOT_ALLOWED',
    "0x01 is not among this client's allowed withdrawal destinations",
  ],
  ['withdrawalLimitExceeded', () => apiErrors.withdrawalLimitExceeded('over', 60), 429, 'WITHDRAWAL_LIMIT_EXCEEDED', 'over'],
  [
    'siweDomainMismatch',
    () => apiErrors.siweDomainMismatch('domain evil.test is not localhost:3000'),
    400,
    'SIWE_DOMAIN_MISMATCH',
    'domain evil.test is not localhost:3000',
  ],
  ['siweNonceInvalid', () => apiErrors.siweNonceInvalid('unknown nonce'), 400, 'SIWE_NONCE_INVALID', 'unknown nonce'],
  [
    'siweNonceUsed',
    () => apiErrors.siweNonceUsed(),
    400,
    'SIWE_NONCE_USED',
    'This message was already used to link a wallet: request a new one from GET /api/v1/wallets/connect/nonce',
  ],
  [
    'siweMessageExpired',
    () => apiErrors.siweMessageExpired(),
    400,
    'SIWE_MESSAGE_EXPIRED',
    'This message has expired: request a new one from GET /api/v1/wallets/connect/nonce',
  ],
  ['walletLinkNotFound', () => apiErrors.walletLinkNotFound(), 404, 'WALLET_LINK_NOT_FOUND', 'This user has no linked wallet with that address'],
  [
    'walletAlreadyLinked',
    () => apiErrors.walletAlreadyLinked(),
    409,
    'WALLET_ALREADY_LINKED',
    "This address is linked to another of this client's users: they must disconnect it first",
  ],
  [
    'withdrawalDestinationNotLinked',
    () => apiErrors.withdrawalDestinationNotLinked('0x01'),
    403,
    'WITHDRAWAL_DESTINATION_NOT_LINKED',
    '0x01 is not a wallet this user has linked, and this client allows withdrawals only to linked wallets',
  ],
  ['payloadTooLarge', () => apiErrors.payloadTooLarge(), 413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  [
    'unsupportedMediaType',
    () => apiErrors.unsupportedMediaType('Content-Type must be application/json'),
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    'Content-Type must be application/json',
  ],
  ['rateLimited', () => apiErrors.rateLimited('Rate limit exceeded', 7), 429, 'RATE_LIMITED', 'Rate limit exceeded'],
  ['quotaExceeded', () => apiErrors.quotaExceeded('Transaction quota exceeded'), 429, 'QUOTA_EXCEEDED', 'Transaction quota exceeded'],
  [
    'sponsorshipBudgetExceeded',
    () => apiErrors.sponsorshipBudgetExceeded('Sponsorship budget exceeded', 60),
    429,
    'SPONSORSHIP_BUDGET_EXCEEDED',
    'Sponsorship budget exceeded',
  ],
  [
    'paymentsNotConfigured',
    () => apiErrors.paymentsNotConfigured(),
    503,
    'PAYMENTS_NOT_CONFIGURED',
    'Escrows are not set up on this deployment: its operator sets ESCROW_ADDRESS (`chronos contracts deploy`)',
  ],
  ['internal', () => apiErrors.internal(), 500, 'INTERNAL_ERROR', 'Internal server error'],
  ['unavailable', () => apiErrors.unavailable('retry shortly'), 503, 'SERVICE_UNAVAILABLE', 'retry shortly'],
];

describe('the API error catalogue', () => {
  it.each(rows)('%s answers with its status, code and message', (_name, build, status, code, message) => {
    const error = build();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status, code, message });
  });

  it('has a row here for every constructor, so a new one is tested with its status', () => {
    expect(rows.map(([name]) => name).sort()).toEqual(Object.keys(apiErrors).sort());
  });

  it('has exactly one constructor for every code, and no code without one', () => {
    const codes = rows.map(([, build]) => build().code);
    expect([...codes].sort()).toEqual([...API_ERROR_CODES].sort());
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('tells the client when to retry: 429 RATE_LIMITED after the window, 503 a second later', () => {
    expect(apiErrors.rateLimited('Rate limit exceeded', 7).headers).toEqual({ 'Retry-After': '7' });
    expect(apiErrors.unavailable('retry shortly').headers).toEqual({ 'Retry-After': '1' });
    expect(apiErrors.sponsorshipBudgetExceeded('Sponsorship budget exceeded', 60).headers).toEqual({ 'Retry-After': '60' });
    expect(apiErrors.validation('x').headers).toBeUndefined();
  });

  it('defaults the messages that differ per site, and takes the site message when given', () => {
    expect(apiErrors.notFound('This port serves /healthz, /readyz and /metrics only').message).toBe('This port serves /healthz, /readyz and /metrics only');
    expect(apiErrors.unauthorized('Access token is invalid or expired').message).toBe('Access token is invalid or expired');
    expect(apiErrors.internal('route reached without authentication').message).toBe('route reached without authentication');
  });

  it('keeps status, code and headers when a route adds the fields of its documented error shape', () => {
    const shaped = apiErrors.policyNotFound().withBody({ success: false });
    expect(shaped).toMatchObject({
      status: 404,
      code: 'POLICY_NOT_FOUND',
      message: 'Transaction policy not configured for this client',
      body: { success: false },
    });
    expect(apiErrors.rateLimited('slow down', 3).withBody({ success: false }).headers).toEqual({ 'Retry-After': '3' });
  });
});
