// @chronos/sdk: the typed client of the Chronos API.
export { Chronos, type ChronosOptions } from './chronos.js';
export { ChronosUser, type MintParameters } from './user.js';
export { Transaction } from './transaction.js';
export { Payments, UserPayments, type CreatedIntent } from './payments.js';
export { Certificates, UserCertificates, type IssuedCertificate } from './certificates.js';
export { Transactions } from './transactions.js';
export { UserWallets, type WalletMessageSigner } from './wallets.js';
export { ChronosError } from './errors.js';
export { verifyWebhook, type WebhookHeaders } from './verify-webhook.js';
export { mintMessageHash, type MintMessage, type MintSigner } from './mint-message.js';
export type { RetryOptions } from './transport.js';
export type { WaitOptions } from './wait.js';
export type { Credentials } from './access-token.js';
export { isTerminal, TERMINAL_STATUSES } from './types.js';
export type * from './types.js';
export type { paths, components, operations } from './generated/openapi.js';
