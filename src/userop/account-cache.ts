// The users' smart-account objects, kept for the next operation of the same user: building one derives
// the owner's public key, and a fresh one asks the chain whether the account is deployed (eth_getCode)
// on every operation, where a kept one remembers that it is (deployment is forever). Bounded: least
// recently used first out.
import type { UserSmartAccount } from '../accounts/smart-account.js';
import { createPromiseCache, type PromiseCache } from '../promise-cache.js';

export type AccountCache = PromiseCache<string, UserSmartAccount>;

export function createAccountCache({ max = 1_000 }: { max?: number } = {}): AccountCache {
  return createPromiseCache({ max });
}
