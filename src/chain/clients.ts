import { createPublicClient, defineChain, type Chain, type PublicClient, type Transport } from 'viem';
import { httpWithBackoff } from './http-backoff.js';

export type ChainConfig = { rpcUrl: string; chainId: number };

export type ChainPublicClient = PublicClient<Transport, Chain>;

export function toChain({ rpcUrl, chainId }: ChainConfig): Chain {
  return defineChain({
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}

export function createChainPublicClient(config: ChainConfig): ChainPublicClient {
  // cacheTime 0: block numbers feed mint expiry and must be current, not seconds old. A 429/5xx is
  // waited out (Retry-After honoured, bounded); other failures are retried twice, as viem would.
  return createPublicClient({
    chain: toChain(config),
    transport: httpWithBackoff(config.rpcUrl, { retryCount: 2, timeout: 10_000 }),
    cacheTime: 0,
    pollingInterval: 100,
  });
}
