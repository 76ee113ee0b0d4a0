// Names for the generated OpenAPI types (src/generated/openapi.ts, from ../openapi.json): the SDK
// hand-writes no request or response shape of its own.
import type { components, paths } from './generated/openapi.js';

type Schemas = components['schemas'];
type JsonBody<Operation> = Operation extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

export type TransactionStatus = Schemas['TransactionStatus'];
export type TransactionListItem = Schemas['TransactionListItem'];
export type TransactionAccepted = Schemas['TransactionAccepted'];
export type WebhookEvent = Schemas['WebhookEvent'];
export type Status = TransactionStatus['status'];

export type TransferRequest = JsonBody<paths['/api/v1/wallet/transfer']['post']>;
export type PayoutRequest = JsonBody<paths['/api/v1/wallet/transfers']['post']>;
export type ClaimRequest = JsonBody<paths['/api/v1/claims/execute']['post']>;
export type MintExecuteRequest = JsonBody<paths['/api/v1/mint/execute']['post']>;
export type Wallet = paths['/api/v1/wallet/create']['post']['responses'][200]['content']['application/json'];
export type Balance = paths['/api/v1/wallet/balance']['get']['responses'][200]['content']['application/json'];
export type PaymentIntentRequest = Schemas['PaymentIntentRequest'];
export type PaymentIntentCreated = Schemas['PaymentIntentCreated'];
export type PaymentIntent = Schemas['PaymentIntent'];
export type PaymentIntentStatus = Schemas['PaymentIntentStatus'];
export type EscrowMoveRequest = Schemas['EscrowMoveRequest'];
export type WithdrawalRequest = Schemas['WithdrawalRequest'];
export type PaymentToken = Schemas['PaymentToken'];
export type WalletBalances = Schemas['WalletBalances'];
export type GasEstimateRequest = Schemas['GasEstimateRequest'];
export type GasEstimate = Schemas['GasEstimate'];
export type CertificateRequest = Schemas['CertificateRequest'];
export type CertificateAccepted = Schemas['CertificateAccepted'];
export type Certificate = Schemas['Certificate'];
export type CertificateVerification = Schemas['CertificateVerification'];
export type CertificatePage = Schemas['CertificatePage'];
export type WalletConnectNonce = Schemas['WalletConnectNonce'];
export type WalletConnectRequest = Schemas['WalletConnectRequest'];
export type WalletLink = Schemas['WalletLink'];
export type WalletDisconnected = Schemas['WalletDisconnected'];
/** The filter of `GET /transactions` (without the paging parameters the iterator handles). */
export type TransactionFilter = Omit<NonNullable<paths['/api/v1/transactions']['get']['parameters']['query']>, 'cursor'>;

/** A status no later answer changes (SPEC: terminal answers are immutable). */
export const TERMINAL_STATUSES: readonly Status[] = ['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'];

export function isTerminal(status: Status): boolean {
  return TERMINAL_STATUSES.includes(status);
}
