// A wallet row never changes once written (its address is derived from the client and user), so the
// rows this process has seen are kept: an operation request does not read the wallets table again.
import type { Db } from '../db/connect.js';
import type { Wallet } from '../db/schema.js';
import { findWallet } from '../db/wallets.js';

export type WalletCache = { find(p: { clientId: string; userId: string }): Promise<Wallet | undefined> };

const MAX_WALLETS = 100_000;

export function createWalletCache(db: Db): WalletCache {
  const wallets = new Map<string, Wallet>();
  return {
    async find({ clientId, userId }) {
      const key = `${clientId}\n${userId}`;
      const known = wallets.get(key);
      if (known) return known;
      // Not cached while missing: the wallet may be created a moment later.
      const wallet = await findWallet(db, { clientId, userId });
      if (wallet) {
        wallets.set(key, wallet);
        if (wallets.size > MAX_WALLETS) wallets.delete(wallets.keys().next().value as string);
      }
      return wallet;
    },
  };
}
