// An on-chain operation type, whole: its name and scope, the route that accepts it, what accepting it
// checks and records, how its stored parameters are read back and which calls the user's smart
// account makes, and what it adds to its webhook. Adding a type is one definition (a folder under
// src/operations/), one line in src/operations/index.ts, its path in openapi.json and its test.
import type { Request, RequestHandler } from 'express';
import type { Transaction as DbTransaction } from 'kysely';
import type { Address, Hex } from 'viem';
import type { Db } from '../db/connect.js';
import type { ChainPublicClient } from '../chain/clients.js';
import type { ConfiguredContractAddresses } from '../chain/contracts/registry.js';
import type { AppError } from '../app-error.js';
import type { Client, Database, Transaction, UniqueKeyColumn, Wallet } from '../db/schema.js';
import type { OperationContracts } from './contracts.js';

export type Call = { to: Address; data: Hex; value?: bigint };

/** What a definition may read while it decides whether to accept: the database, the config and the chain. */
export type AcceptContext = { db: Db; config: OperationsConfig; publicClient: ChainPublicClient };

/**
 * The slice of the configuration operations read: the chain, the deployment's contracts, a payout's
 * recipient limit and MASTER_KEY, from which a client's certificate issuer key is derived (a Config
 * fits it; operations stay below config/).
 */
export type OperationsConfig = {
  chain: { chainId: number };
  masterKey: Hex;
  contracts: Readonly<ConfiguredContractAddresses>;
  transactions: { batchTransferMaxRecipients: number };
};

/**
 * Who asks: the authenticated client, the user (X-User-Id) and their wallet, and the token the request
 * names (`token`) among the client's, else its own; with that token's per-operation amount limits.
 */
export type Requester = {
  client: Client;
  userId: string;
  wallet: Wallet;
  walletAddress: Address;
  token: Address;
  tokenLimits?: { minWei?: bigint; maxWei?: bigint };
};

/** What accepting one request records; the accept transaction checks the debit, the key and the nonce under the user's lock. */
export type Acceptance<Params> = {
  /** Stored as the transaction's params and read back by parseParams: the same type both ways. */
  params: Params;
  /** Taken from the wallet's balance on its token while the operation is in flight. */
  debitWei?: bigint;
  /** Unique among the client's operations that are not FAILED or EXPIRED; a clash answers `uniqueConflict()`. */
  uniqueKey?: { column: UniqueKeyColumn; value: Hex };
  /** Must equal the wallet's next ordered nonce (on-chain, or one past the highest in flight); else `nonceRefusal`. */
  orderedNonce?: bigint;
  /** Past this block the operation cannot execute any more: it ends EXPIRED instead (`expiry`). */
  expiryBlock?: bigint;
  /** How many operations of the definition's `countsAs` type this one counts for in their quota (a payout: its recipients). */
  countsAsUnits?: number;
  /** The gas ceiling of this one operation when it depends on the request (a payout's recipients); else the definition's. */
  gasCeiling?: bigint;
  /**
   * A cap on the value the user's operations of this type move per period (a client's withdrawal limit):
   * the period's sum, this one included, is checked under the user's lock, so concurrent requests cannot
   * pass it together. Over it: `refusal(retryAfterSeconds)`.
   */
  valueLimit?: ValueLimit;
  /** The token it moves when the definition decides it (an escrow's, recorded with its intent); else the requester's. */
  token?: Address;
  /** Webhook events of its domain recorded with it when it is accepted (payment.intent.created). */
  acceptEvents?: OperationEvent[];
  /** Rows written in the same database transaction as the operation, once it is accepted (a payment intent). */
  alsoRecord?: (trx: DbTransaction<Database>, transactionId: string) => Promise<void>;
};

export type ValueLimit = {
  limitWei: bigint;
  /** The period counted: the operations accepted from `since` on. */
  since: Date;
  /** When the period ends, for the refusal's Retry-After. */
  until: Date;
  refusal: (retryAfterSeconds: number) => AppError;
};

/** One more webhook event an operation sends when it reaches a terminal status, beside its `transaction.*` one. */
export type OperationEvent = { event: string; data: Record<string, unknown> };

export type OperationDefinition<Params = unknown, Type extends string = string, Scope extends string = Type> = {
  /** Stored in transactions.type, named in webhooks and quotas. */
  type: Type;
  /** The token scope its route requires. */
  scope: Scope;
  /** The openapi.json operation that accepts it (src/http/routes/<operationId>.ts). */
  operationId: string;
  /**
   * The most gas one operation of this type uses on an account that is already deployed (the UserOperation
   * whole: verification, paymaster, execution, pre-verification), with headroom over what it measures on
   * the test stack. Accepting reserves it, times a fee cap, from the gas budgets (README, Gas budgets).
   */
  gasCeiling: bigint;
  /**
   * Another type whose quota this one also counts in, `countsAsUnits` times per operation, beside its
   * own (a payout counts once per recipient in the transfer quota: README, Batch payouts).
   */
  countsAs?: string;
  /** Runs before OpenAPI validation, for bodies whose documented errors differ from VALIDATION_ERROR. */
  precheck?: RequestHandler;
  /**
   * It may move any of the client's tokens (the request's `token`, README, Payments: the client's
   * tokens); without it, only the client's own ChronosToken (a mint, a claim).
   */
  anyToken?: true;
  /**
   * What `accept` is given, and the idempotency fingerprint covers: the body, unless the route also
   * takes values from its path (an escrow's id).
   */
  input?: (req: Request) => unknown;
  /**
   * The field of that input its route's path `{id}` fills, when it has one (an escrow move's
   * `escrowId`, the default): a dry run (POST /payments/gas-estimate) takes it in `params` by this name.
   */
  pathId?: string;
  /**
   * The other operation that accepts this type without a path id (an escrow funding's new payment
   * intent, POST /payments/intents): a dry run whose params name no `pathId` takes that one's body.
   */
  operationIdWithoutPathId?: string;
  /** Validates the request and pre-checks it against the chain; throws an AppError to refuse (nothing is written). */
  accept(ctx: AcceptContext, body: unknown, requester: Requester): Promise<Acceptance<Params>>;
  /** The 409 when `uniqueKey` is already taken. */
  uniqueConflict?: () => AppError;
  /** The refusal when `orderedNonce` is not the next one. */
  nonceRefusal?: (given: bigint, expected: bigint) => AppError;
  /** How a transaction past its `expiryBlock` ends: its error code and the words recorded with it. */
  expiry?: { errorCode: string; unsentReason: string; unsentMessage: (expiryBlock: string) => string };
  /** Asserts the stored payload: jobs may carry shapes written by an older version. */
  parseParams(value: unknown): Params;
  /** The calls executed, atomically and in order, by the user's smart account, on its client's contracts. */
  buildCalls(contracts: OperationContracts, params: Params): Call[];
  /** Fields this type adds to its webhook events' `data`, beside the common ones. */
  webhookData?(params: Params, transaction: Transaction): Record<string, unknown>;
  /** Events of its own domain (payment.*) sent with its terminal `transaction.*` event, in the same unit of work. */
  events?(params: Params, transaction: Transaction): OperationEvent[];
};

export class InvalidParamsError extends Error {
  override name = 'InvalidParamsError';
}

export function field<T>(value: unknown, name: string, check: (v: unknown) => v is T): T {
  const v = (value as Record<string, unknown> | null)?.[name];
  if (!check(v)) throw new InvalidParamsError(`stored operation parameter '${name}' is missing or malformed`);
  return v;
}

export const isHexAddress = (v: unknown): v is Address => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);
export const isHex = (v: unknown): v is Hex => typeof v === 'string' && /^0x[0-9a-fA-F]*$/.test(v);
export const isWeiString = (v: unknown): v is string => typeof v === 'string' && /^\d{1,78}$/.test(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
