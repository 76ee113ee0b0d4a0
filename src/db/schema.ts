// The database as kysely sees it: one interface per table, nullable columns as `T | null`.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ClientsTable {
  id: string;
  name: string;
  secret_hash: string;
  webhook_url: string | null;
  webhook_secret: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_expires_at: Date | null;
  signer_address: string | null;
  /** The client's own ChronosToken; null: the shared TOKEN_ADDRESS (clients registered before migration 0008). */
  token_address: ColumnType<string | null, string | null | undefined, string | null>;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  rate_limits: ColumnType<Record<string, number>, string | undefined, string>;
  revoked_at: Date | null;
  /** Tokens issued (`iat`) before this second are refused: set by rotate-secret and unrevoke. */
  tokens_not_before: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Set when the receiver answered 410 Gone: nothing is sent to it until set-webhook clears it. */
  webhook_disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Why (which URL answered 410, for which delivery); set exactly when webhook_disabled_at is. */
  webhook_disabled_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** The addresses its users may withdraw to (migration 0019); null: any address. */
  withdrawal_allowlist: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** What one user may withdraw per `withdrawal_limit_period`; null (both): no limit. */
  withdrawal_limit_wei: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  withdrawal_limit_period: ColumnType<
    'daily' | 'weekly' | 'monthly' | null,
    'daily' | 'weekly' | 'monthly' | null | undefined,
    'daily' | 'weekly' | 'monthly' | null
  >;
  /** The client's own ChronosCertificate (migration 0021); null: it issues no certificates. */
  certificate_address: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where its users may withdraw to (migration 0023): 'linked' = only to a wallet the user linked. */
  withdrawal_destinations: ColumnType<WithdrawalDestinations, WithdrawalDestinations | undefined, WithdrawalDestinations>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export const WITHDRAWAL_DESTINATIONS = ['any', 'linked'] as const;
export type WithdrawalDestinations = (typeof WITHDRAWAL_DESTINATIONS)[number];

export interface WalletsTable {
  client_id: string;
  user_id: string;
  address: string;
  created_at: Timestamp;
}

import type { TransactionStatus } from '../statuses.js';
export { TRANSACTION_STATUSES, type TransactionStatus } from '../statuses.js';

/** Columns with a unique index over a client's live operations: a second accept of the same key is a 409. */
export type UniqueKeyColumn = 'receipt_hash' | 'claim_id' | 'escrow_id' | 'certificate_hash';

/** numeric columns: written as bigint or decimal string, read as decimal string. */

type NullableNumeric = ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

/** A signed UserOperation as sent to the bundler (JSON-RPC hex format). */
export type StoredUserOperation = Record<string, string>;

export interface TransactionsTable {
  id: string;
  client_id: string;
  user_id: string;
  wallet_address: string;
  /** An operation type of the registry (src/operations/index.ts); the database layer does not know which. */
  type: string;
  status: ColumnType<TransactionStatus, TransactionStatus | undefined, TransactionStatus>;
  params: Json<Record<string, unknown>>;
  debit_wei: ColumnType<string, string | bigint | undefined, string | bigint>;
  receipt_hash: string | null;
  claim_id: string | null;
  /** The escrow an escrow_* operation moves (migration 0019); null on every other type. */
  escrow_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The verificationHash a certificate_* operation is about (migration 0021); null on every other type. */
  certificate_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The client's token at accept; null on rows accepted before migration 0008 (the shared TOKEN_ADDRESS). */
  token_address: ColumnType<string | null, string | null | undefined, string | null>;
  mint_nonce: NullableNumeric;
  expiry_block: NullableNumeric;
  user_op: NullableJson<StoredUserOperation>;
  user_op_hash: string | null;
  /** The EntryPoint nonce key its UserOperation uses (migration 0017), held while it is active. */
  nonce_key: NullableNumeric;
  replacement_user_op: NullableJson<StoredUserOperation>;
  replacement_user_op_hash: string | null;
  /** Hashes of operations re-sponsored away (migration 0011): their window passed, none can be included. */
  superseded_user_op_hashes: ColumnType<string[], string[] | undefined, string[]>;
  submitted_block: ColumnType<string | null, string | bigint | number | null | undefined, string | bigint | number | null>;
  deadline_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  tx_hash: string | null;
  block_number: ColumnType<string | null, string | bigint | number | null | undefined, string | bigint | number | null>;
  /** The hash of block_number's block when it was seen (migration 0015): compared with the chain to find reorgs. */
  block_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** While SUBMITTED and included but not yet deep enough: the status its inclusion will settle it as. */
  included_outcome: ColumnType<
    'CONFIRMED' | 'REVERTED' | 'EXPIRED' | null,
    'CONFIRMED' | 'REVERTED' | 'EXPIRED' | null | undefined,
    'CONFIRMED' | 'REVERTED' | 'EXPIRED' | null
  >;
  included_error_message: ColumnType<string | null, string | null | undefined, string | null>;
  /** When its settled inclusion was last reorged out (it is re-sent until included again). */
  reorged_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  gas_used: NullableNumeric;
  gas_cost_wei: NullableNumeric;
  /** What accepting it reserved from the gas budgets (README, Gas budgets); 0 on rows from before migration 0010. */
  gas_reserved_wei: ColumnType<string, string | bigint | undefined, string | bigint>;
  /** How many operations of its type's `countsAs` type it counts for in their quota (migration 0016); null on other types. */
  counts_as_units: ColumnType<number | null, number | null | undefined, number | null>;
  error_code: string | null;
  error_message: string | null;
  stalled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  stall_reason: string | null;
  submitted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  accept_seq: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TransactionTransitionsTable {
  id: Generated<string>;
  transaction_id: string;
  from_status: TransactionStatus | null;
  to_status: TransactionStatus;
  reason: string | null;
  at: Timestamp;
}

export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  request_hash: string;
  transaction_id: string;
  response_status: number;
  response_body: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface ChainCursorsTable {
  name: string;
  block: ColumnType<string, string | bigint | number, string | bigint | number>;
  /** The hash of that block when it was read (migration 0015); null for cursors saved before. */
  block_hash: ColumnType<string | null, string | null | undefined, string | null>;
  updated_at: Timestamp;
}

export interface WorkerProcessesTable {
  id: string;
  worker_ids: ColumnType<string[], string[] | undefined, string[]>;
  started_at: Timestamp;
  last_seen_at: Timestamp;
}

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export interface WebhookEventsTable {
  id: string;
  client_id: string;
  event_type: string;
  transaction_id: string | null;
  /** The exact JSON text POSTed on every attempt. */
  body: string;
  created_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  id: string;
  event_id: string;
  client_id: string;
  event_type: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempt_count: ColumnType<number, number | undefined, number>;
  redelivery_of: string | null;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  claim_token: string | null;
  claim_expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_response_status: number | null;
  last_response_time_ms: number | null;
  error_message: string | null;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
}

export interface WebhookDeliveryAttemptsTable {
  delivery_id: string;
  attempt_number: number;
  url: string | null;
  response_status: number | null;
  response_time_ms: number | null;
  error_message: string | null;
  started_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: Timestamp;
}

/** A client's transaction policy (README, Quotas): whether its quotas apply; the limits are its quota rows. */
export interface TransactionPoliciesTable {
  client_id: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One limit of a policy: at most `max_count` operations of a type per user per period. No row = unlimited. */
export interface TransactionQuotasTable {
  client_id: string;
  operation_type: string;
  period: 'daily' | 'weekly' | 'monthly';
  max_count: number;
}

/** One gas budget of a client's policy: wei per period, for the client as a whole or for each of its users. */
export interface GasBudgetsTable {
  client_id: string;
  scope: 'client' | 'user';
  period: 'daily' | 'weekly' | 'monthly';
  /** numeric(78,0), read as a string. */
  max_wei: ColumnType<string, string | bigint, string | bigint>;
}

/** Sliding-window rate-limit state of one (subject, category); bigint columns read as strings. */
export interface RateLimitCountersTable {
  subject: string;
  category: string;
  window_start_ms: ColumnType<string, string | number, string | number>;
  current_count: number;
  previous_count: number;
  limit_value: number;
  admitted: boolean;
  admitted_count: Generated<number>;
  touched_at_ms: ColumnType<string, string | number, string | number>;
}

export interface PaymentIntentsTable {
  id: string;
  client_id: string;
  escrow_id: string;
  payer_user_id: string;
  payer_address: string;
  payee_user_id: string | null;
  payee_address: string;
  token_address: string;
  amount_wei: ColumnType<string, string | bigint, string | bigint>;
  description: string | null;
  duration_seconds: number;
  created_at: Timestamp;
}

/** A certificate as accepted (migration 0021): its fields off-chain, bound on-chain by data_hash. */
export interface CertificatesTable {
  id: string;
  client_id: string;
  user_id: string;
  recipient: string;
  recipient_name: string;
  course_title: string;
  course_id: string;
  instructor_name: string;
  verification_hash: string;
  data_hash: string;
  contract_address: string;
  issue_transaction_id: string;
  created_at: Timestamp;
}

/** A token a client's operations may move, or the limits of its own (migration 0020). */
export interface ClientTokensTable {
  client_id: string;
  /** Lower-case 0x address. */
  token_address: string;
  symbol: string;
  name: string;
  decimals: number;
  min_amount_wei: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  max_amount_wei: ColumnType<string | null, string | bigint | null | undefined, string | bigint | null>;
  added_at: Timestamp;
}

/** A SIWE message issued by GET /wallets/connect/nonce (migration 0023), used at most once. */
export interface WalletLinkNoncesTable {
  nonce: string;
  client_id: string;
  user_id: string;
  /** Lower-case 0x address. */
  address: string;
  /** The exact EIP-4361 text issued. */
  message: string;
  issued_at: Timestamp;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** An external address a user of the client proved they control (migration 0023). */
export interface WalletLinksTable {
  client_id: string;
  /** Lower-case 0x address; unique per client. */
  address: string;
  user_id: string;
  linked_at: Timestamp;
}

export interface Database {
  worker_processes: WorkerProcessesTable;
  clients: ClientsTable;
  wallets: WalletsTable;
  transactions: TransactionsTable;
  payment_intents: PaymentIntentsTable;
  certificates: CertificatesTable;
  client_tokens: ClientTokensTable;
  wallet_link_nonces: WalletLinkNoncesTable;
  wallet_links: WalletLinksTable;
  transaction_transitions: TransactionTransitionsTable;
  idempotency_keys: IdempotencyKeysTable;
  chain_cursors: ChainCursorsTable;
  transaction_policies: TransactionPoliciesTable;
  transaction_quotas: TransactionQuotasTable;
  gas_budgets: GasBudgetsTable;
  rate_limit_counters: RateLimitCountersTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
}

export type Transaction = Selectable<TransactionsTable>;
export type NewTransaction = Insertable<TransactionsTable>;
export type TransactionChanges = Updateable<TransactionsTable>;

export type Client = Selectable<ClientsTable>;
export type NewClient = Insertable<ClientsTable>;
export type ClientUpdate = Updateable<ClientsTable>;
export type Wallet = Selectable<WalletsTable>;
export type PaymentIntent = Selectable<PaymentIntentsTable>;
export type NewPaymentIntent = Insertable<PaymentIntentsTable>;
export type Certificate = Selectable<CertificatesTable>;
export type NewCertificate = Insertable<CertificatesTable>;
export type ClientToken = Selectable<ClientTokensTable>;
export type WalletLinkNonce = Selectable<WalletLinkNoncesTable>;
export type WalletLink = Selectable<WalletLinksTable>;
export type TransactionPolicy = Selectable<TransactionPoliciesTable>;
export type WebhookEvent = Selectable<WebhookEventsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type WebhookDeliveryAttempt = Selectable<WebhookDeliveryAttemptsTable>;
export type { Generated };
