// An error the API answers with a documented status and code, and the catalogue of every such code:
// one constructor per code, so a code's status (and the headers it carries) are decided once. Raised
// anywhere on the request path (routes, definitions, accept, policy); src/http/errors.ts turns it,
// and everything else, into the response.
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    /** Extra fields for routes whose documented error shape differs. */
    readonly body?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  /** The same error with the fields a route's documented error shape adds. */
  withBody(body: Record<string, unknown>): AppError {
    return new AppError(this.status, this.code, this.message, body, this.headers);
  }
}

const retrySoon = { 'Retry-After': '1' };

/** Every code the API answers with, by the constructor that builds it. */
export const apiErrors = {
  validation: (message: string) => new AppError(400, 'VALIDATION_ERROR', message),
  missingCredentials: (fields: readonly string[]) => new AppError(400, 'MISSING_CREDENTIALS', `Missing required fields: ${fields.join(', ')}`),
  walletMissing: () => new AppError(400, 'WALLET_ERROR', 'Wallet not found for this user. Call POST /api/v1/wallet/create first.'),
  addressMismatch: () => new AppError(400, 'ADDRESS_MISMATCH', 'userAddress does not match wallet on record'),
  insufficientBalance: () => new AppError(400, 'INSUFFICIENT_BALANCE', 'Insufficient balance'),
  invalidNonce: (message: string) => new AppError(400, 'INVALID_NONCE', message),
  invalidSignature: (why: string) => new AppError(400, 'INVALID_SIGNATURE', `Client signature verification failed: ${why}`),
  mintExpired: (message: string) => new AppError(400, 'MINT_EXPIRED', message),
  claimIdMismatch: () => new AppError(400, 'CLAIM_ID_MISMATCH', 'claimIdBytes32 does not equal keccak256(claimId)'),
  webhookNotConfigured: () =>
    new AppError(400, 'WEBHOOK_NOT_CONFIGURED', 'No webhook URL is configured for this client; an operator sets one with `chronos clients set-webhook`'),
  unauthorized: (message = 'Missing or invalid access token') => new AppError(401, 'UNAUTHORIZED', message),
  invalidSecret: () => new AppError(401, 'INVALID_SECRET', 'Invalid credentials'),
  forbidden: (message: string) => new AppError(403, 'FORBIDDEN', message),
  policyDisabled: () => new AppError(403, 'POLICY_DISABLED', 'Transaction policy is disabled for this client'),
  notFound: (message = 'No such endpoint') => new AppError(404, 'NOT_FOUND', message),
  invalidTransactionId: () => new AppError(400, 'INVALID_TRANSACTION_ID', 'Transaction ID must be a valid tx_ prefixed identifier'),
  transactionNotFound: (id: string) => new AppError(404, 'TRANSACTION_NOT_FOUND', `Transaction ${id} not found`),
  walletNotFound: () => new AppError(404, 'WALLET_NOT_FOUND', 'Wallet not found. Create a wallet first.'),
  policyNotFound: () => new AppError(404, 'POLICY_NOT_FOUND', 'Transaction policy not configured for this client'),
  deliveryNotFound: (id: string) => new AppError(404, 'DELIVERY_NOT_FOUND', `Webhook delivery ${id} not found`),
  intentNotFound: (id: string) => new AppError(404, 'INTENT_NOT_FOUND', `Payment intent ${id} not found`),
  escrowNotFound: (id: string) => new AppError(404, 'ESCROW_NOT_FOUND', `Escrow ${id} not found`),
  methodNotAllowed: () => new AppError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed on this endpoint'),
  idempotencyConflict: () => new AppError(409, 'IDEMPOTENCY_CONFLICT', 'This X-Idempotency-Key was already used with a different request'),
  receiptAlreadyMinted: () => new AppError(409, 'RECEIPT_ALREADY_MINTED', 'Receipt has already been minted'),
  claimAlreadyUsed: () => new AppError(409, 'CLAIM_ALREADY_USED', 'This claim id has already been used'),
  deliveryInProgress: (message: string) => new AppError(409, 'DELIVERY_IN_PROGRESS', message),
  amountOutOfRange: (message: string) => new AppError(400, 'AMOUNT_OUT_OF_RANGE', message),
  escrowAlreadyFunded: () => new AppError(409, 'ESCROW_ALREADY_FUNDED', 'This escrow is already funded or being funded'),
  escrowNotFunded: (status: string) =>
    new AppError(409, 'ESCROW_NOT_FUNDED', `This escrow is ${status}, not funded: only a funded escrow can be released or refunded`),
  escrowAlreadySettled: () => new AppError(409, 'ESCROW_ALREADY_SETTLED', 'This escrow is already released or refunded, or being so'),
  certificateNotFound: (id: string) => new AppError(404, 'CERTIFICATE_NOT_FOUND', `Certificate ${id} not found`),
  certificatesNotEnabled: () =>
    new AppError(
      409,
      'CERTIFICATES_NOT_ENABLED',
      'This client has no ChronosCertificate contract: its operator runs `chronos clients enable-certificates CLIENT_ID`',
    ),
  certificateAlreadyIssued: () => new AppError(409, 'CERTIFICATE_ALREADY_ISSUED', 'A certificate with this verificationHash is already issued or being issued'),
  certificateNotIssued: (status: string) =>
    new AppError(409, 'CERTIFICATE_NOT_ISSUED', `This certificate is ${status}, not issued: only an issued certificate can be revoked`),
  certificateAlreadyRevoked: () => new AppError(409, 'CERTIFICATE_ALREADY_REVOKED', 'This certificate is already revoked or being revoked'),
  withdrawalDestinationNotAllowed: (to: string) =>
    new AppError(403, 'WITHDRAWAL_DESTINATION_NOT_ALLOWED', `${to} is not among this client's allowed withdrawal destinations`),
  withdrawalLimitExceeded: (message: string, retryAfterSeconds: number) =>
    new AppError(429, 'WITHDRAWAL_LIMIT_EXCEEDED', message, undefined, { 'Retry-After': String(retryAfterSeconds) }),
  siweDomainMismatch: (message: string) => new AppError(400, 'SIWE_DOMAIN_MISMATCH', message),
  siweNonceInvalid: (message: string) => new AppError(400, 'SIWE_NONCE_INVALID', message),
  siweNonceUsed: () =>
    new AppError(400, 'SIWE_NONCE_USED', 'This message was already used to link a wallet: request a new one from GET /api/v1/wallets/connect/nonce'),
  siweMessageExpired: () => new AppError(400, 'SIWE_MESSAGE_EXPIRED', 'This message has expired: request a new one from GET /api/v1/wallets/connect/nonce'),
  walletLinkNotFound: () => new AppError(404, 'WALLET_LINK_NOT_FOUND', 'This user has no linked wallet with that address'),
  walletAlreadyLinked: () =>
    new AppError(409, 'WALLET_ALREADY_LINKED', "This address is linked to another of this client's users: they must disconnect it first"),
  withdrawalDestinationNotLinked: (to: string) =>
    new AppError(
      403,
      'WITHDRAWAL_DESTINATION_NOT_LINKED',
      `${to} is not a wallet this user has linked, and this client allows withdrawals only to linked wallets`,
    ),
  payloadTooLarge: () => new AppError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'),
  unsupportedMediaType: (message: string) => new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', message),
  rateLimited: (message: string, retryAfterSeconds: number) =>
    new AppError(429, 'RATE_LIMITED', message, undefined, { 'Retry-After': String(retryAfterSeconds) }),
  quotaExceeded: (message: string) => new AppError(429, 'QUOTA_EXCEEDED', message),
  /** Retry-After: until the period whose budget is short ends (a release by FAILED/EXPIRED may come sooner). */
  sponsorshipBudgetExceeded: (message: string, retryAfterSeconds: number) =>
    new AppError(429, 'SPONSORSHIP_BUDGET_EXCEEDED', message, undefined, { 'Retry-After': String(retryAfterSeconds) }),
  paymentsNotConfigured: () =>
    new AppError(503, 'PAYMENTS_NOT_CONFIGURED', 'Escrows are not set up on this deployment: its operator sets ESCROW_ADDRESS (`chronos contracts deploy`)'),
  internal: (message = 'Internal server error') => new AppError(500, 'INTERNAL_ERROR', message),
  /** Always with Retry-After: a moment later the same request can succeed. */
  unavailable: (message: string) => new AppError(503, 'SERVICE_UNAVAILABLE', message, undefined, retrySoon),
} as const;

/** Every code the API answers with (README, API); each has exactly one constructor in `apiErrors`. */
export const API_ERROR_CODES = [
  'VALIDATION_ERROR',
  'MISSING_CREDENTIALS',
  'WALLET_ERROR',
  'ADDRESS_MISMATCH',
  'INSUFFICIENT_BALANCE',
  'INVALID_NONCE',
  'INVALID_SIGNATURE',
  'MINT_EXPIRED',
  'CLAIM_ID_MISMATCH',
  'AMOUNT_OUT_OF_RANGE',
  'WEBHOOK_NOT_CONFIGURED',
  'UNAUTHORIZED',
  'INVALID_SECRET',
  'FORBIDDEN',
  'POLICY_DISABLED',
  'NOT_FOUND',
  'WALLET_NOT_FOUND',
  'INVALID_TRANSACTION_ID',
  'TRANSACTION_NOT_FOUND',
  'POLICY_NOT_FOUND',
  'DELIVERY_NOT_FOUND',
  'INTENT_NOT_FOUND',
  'ESCROW_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'IDEMPOTENCY_CONFLICT',
  'RECEIPT_ALREADY_MINTED',
  'CLAIM_ALREADY_USED',
  'DELIVERY_IN_PROGRESS',
  'ESCROW_ALREADY_FUNDED',
  'ESCROW_NOT_FUNDED',
  'ESCROW_ALREADY_SETTLED',
  'CERTIFICATE_NOT_FOUND',
  'CERTIFICATES_NOT_ENABLED',
  'CERTIFICATE_ALREADY_ISSUED',
  'CERTIFICATE_NOT_ISSUED',
  'CERTIFICATE_ALREADY_REVOKED',
  'WITHDRAWAL_DESTINATION_NOT_ALLOWED',
  'WITHDRAWAL_LIMIT_EXCEEDED',
  'SIWE_DOMAIN_MISMATCH',
  'SIWE_NONCE_INVALID',
  'SIWE_NONCE_USED',
  'SIWE_MESSAGE_EXPIRED',
  'WALLET_LINK_NOT_FOUND',
  'WALLET_ALREADY_LINKED',
  'WITHDRAWAL_DESTINATION_NOT_LINKED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'SPONSORSHIP_BUDGET_EXCEEDED',
  'PAYMENTS_NOT_CONFIGURED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];
