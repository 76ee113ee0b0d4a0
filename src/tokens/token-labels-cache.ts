// The name and symbol of a client's own token, read from its contract once per process: ERC-20
// metadata does not change (ChronosToken's are constructor constants), yet GET /payments/tokens and
// the balance reads would otherwise ask the chain for them on every request. An added token's labels
// are stored when it is added and never come here.
import { erc20Abi, type Address } from 'viem';
import type { ChainPublicClient } from '../chain/clients.js';
import { createPromiseCache } from '../promise-cache.js';

export type TokenLabels = { name: string; symbol: string };
export type TokenLabelsCache = { get(token: Address): Promise<TokenLabels> };

export function createTokenLabelsCache(publicClient: ChainPublicClient): TokenLabelsCache {
  const entries = createPromiseCache<Address, TokenLabels>({ max: 10_000 });
  const read = async (token: Address): Promise<TokenLabels> => {
    const [name, symbol] = await Promise.all([
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'name' }),
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' }),
    ]);
    return { name, symbol };
  };
  // A failed read is not kept: the next request asks the chain again.
  return { get: (token) => entries.get(token, () => read(token)) };
}
