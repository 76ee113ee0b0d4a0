import { createPublicClient, defineChain, type Chain, type PublicClient, type Transport } from 'viem';
import { failoverTransport } from './failover-transport.js';
import type { BackoffPolicy } from './http-backoff.js';

export type ChainConfig = { rpcUrl: string; chainId: number };
/** RPC_URL's entries in order of preference; `backoff` defaults to DEFAULT_BACKOFF. */
export type ChainReadConfig = { rpcUrls: readonly string[]; chainId: number; backoff?: BackoffPolicy };

export type ChainPublicClient = PublicClient<Transport, Chain>;

export function toChain({ rpcUrl, chainId }: ChainConfig): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function createChainPublicClient({ rpcUrls, chainId, backoff }: ChainReadConfig): ChainPublicClient {
  // cacheTime 0: block numbers feed mint expiry and must be current, not seconds old. A 429/5xx is
  // waited out (Retry-After honoured, bounded); other failures are retried twice, as viem would.
  return createPublicClient({
    chain: toChain({ rpcUrl: rpcUrls[0], chainId }),
    transport: failoverTransport(rpcUrls, { retryCount: 2, timeout: 10_000, backoff }),
    cacheTime: 0,
    pollingInterval: 100,
  });
}
