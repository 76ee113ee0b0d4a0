import type { RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import type { ClientCache } from '../auth/client-cache.js';
import type { WalletCache } from '../accounts/wallet-cache.js';
import type { Acceptor } from '../transactions/accept.js';
import type { GasFeeCap } from '../chain/gas-fee-cap.js';
import type { Scope } from '../auth/scopes.js';
import type { AppError } from '../app-error.js';
import type { UserOpClients } from '../userop/clients.js';
import type { ClientTokensCache } from '../tokens/client-tokens-cache.js';
import type { TokenLabelsCache } from '../tokens/token-labels-cache.js';

export type RouteContext = AppContext & {
  clients: ClientCache;
  wallets: WalletCache;
  /** The client's added tokens and token limits, a few seconds old at most. */
  clientTokens: ClientTokensCache;
  /** Own tokens' names and symbols, read from the chain once. */
  tokenLabels: TokenLabelsCache;
  acceptor: Acceptor;
  gasFeeCap: GasFeeCap;
  /** The bundler and the sponsor, for dry runs (POST /payments/gas-estimate); the API never sends through them. */
  userOps: UserOpClients;
};

/** One HTTP operation: its operationId in openapi.json, the scope it needs, and its handler. */
export type Route = {
  operationId: string;
  /** Scope the token must carry; undefined = any valid token (or none, for public operations). */
  scope?: Scope;
  /** Runs before OpenAPI validation, for operations whose documented errors differ from VALIDATION_ERROR. */
  precheck?: RequestHandler;
  handler: (ctx: RouteContext) => RequestHandler;
  /** For operations whose documented error shape differs: applied to every error answered on it, whatever raised it. */
  errorShape?: (error: AppError) => AppError;
};
