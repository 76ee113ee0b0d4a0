// The users' smart-account objects, kept for the next operation of the same user: building one derives
// the owner's public key, and a fresh one asks the chain whether the account is deployed (eth_getCode)
// on every operation, where a kept one remembers that it is (deployment is forever). Bounded: least
// recently used first out.
import type { UserSmartAccount } from '../accounts/smart-account.js';

export type AccountCache = {
  /** The cached account for `key`, or the one `create` makes (cached once it resolves). */
  get(key: string, create: () => Promise<UserSmartAccount>): Promise<UserSmartAccount>;
  readonly size: number;
};

export function createAccountCache({ max = 1_000 }: { max?: number } = {}): AccountCache {
  const entries = new Map<string, Promise<UserSmartAccount>>();
  return {
    get(key, create) {
      const hit = entries.get(key);
      if (hit) {
        // Map order is insertion order: re-inserting makes it the most recently used.
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const made = create();
      entries.set(key, made);
      made.catch(() => {
        if (entries.get(key) === made) entries.delete(key);
      });
      while (entries.size > max) entries.delete(entries.keys().next().value!);
      return made;
    },
    get size() {
      return entries.size;
    },
  };
}
