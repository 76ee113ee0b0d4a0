// The per-process state every route shares, built once per API: caches of clients, wallets and wallet
// chain state, the gas fee cap, and the accept batcher.
import type { AppContext } from '../context.js';
import type { RouteContext } from './route.js';
import { createClientCache } from '../auth/client-cache.js';
import { createWalletCache } from '../accounts/wallet-cache.js';
import { createWalletChainStates } from '../chain/wallet-chain-state.js';
import { createGasFeeCap } from '../chain/gas-fee-cap.js';
import { createAcceptor } from '../transactions/accept.js';
import { createUserOpClients } from '../userop/clients.js';
import { createClientTokensCache } from '../tokens/client-tokens-cache.js';
import { createTokenLabelsCache } from '../tokens/token-labels-cache.js';

export function createRouteContext(ctx: AppContext, { clientCacheTtlMs }: { clientCacheTtlMs?: number } = {}): RouteContext {
  const chain = createWalletChainStates(ctx.publicClient);
  // One per process: the accept path reserves from it, /quota/check reports what it would reserve.
  const gasFeeCap = createGasFeeCap(ctx.publicClient);
  return {
    ...ctx,
    gasFeeCap,
    clients: createClientCache(ctx.db, { ttlMs: clientCacheTtlMs }),
    wallets: createWalletCache(ctx.db),
    clientTokens: createClientTokensCache(ctx.db, { ttlMs: clientCacheTtlMs }),
    tokenLabels: createTokenLabelsCache(ctx.publicClient),
    userOps: createUserOpClients(ctx.publicClient, { ...ctx.config.chain, sponsorship: ctx.config.sponsorship }),
    acceptor: createAcceptor(ctx.db, chain, {
      gasFeeCap,
      maxQueued: ctx.config.transactions.acceptQueueMax,
      lanesPerUser: ctx.config.transactions.maxParallelPerAccount,
    }),
  };
}
