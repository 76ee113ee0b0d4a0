import type { Db } from './connect.js';
import type { Wallet } from './schema.js';

/**
 * Records the wallet unless it exists. `isNew` is true for exactly one of any number of concurrent
 * callers: the primary key decides, not a prior read.
 */
export async function recordWallet(db: Db, wallet: { clientId: string; userId: string; address: string }): Promise<{ wallet: Wallet; isNew: boolean }> {
  const inserted = await db
    .insertInto('wallets')
    .values({ client_id: wallet.clientId, user_id: wallet.userId, address: wallet.address })
    .onConflict((oc) => oc.columns(['client_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { wallet: inserted, isNew: true };
  const existing = await findWallet(db, wallet);
  if (!existing) throw new Error(`wallet for ${wallet.clientId}/${wallet.userId} vanished after a conflict`);
  return { wallet: existing, isNew: false };
}

export async function findWallet(db: Db, { clientId, userId }: { clientId: string; userId: string }): Promise<Wallet | undefined> {
  return db.selectFrom('wallets').selectAll().where('client_id', '=', clientId).where('user_id', '=', userId).executeTakeFirst();
}
