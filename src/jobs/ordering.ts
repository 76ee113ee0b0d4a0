import type { Db } from '../db/connect.js';
import type { Transaction } from '../db/schema.js';
import { ACTIVE } from '../statuses.js';

/** The id of an operation of the same user accepted before this one and still in flight, if any. */
export async function olderActiveTransaction(db: Db, tx: Pick<Transaction, 'accept_seq' | 'client_id' | 'user_id'>): Promise<string | undefined> {
  const row = await db
    .selectFrom('transactions')
    .select('id')
    .where('client_id', '=', tx.client_id)
    .where('user_id', '=', tx.user_id)
    .where('status', 'in', [...ACTIVE])
    .where('accept_seq', '<', tx.accept_seq)
    .orderBy('accept_seq')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
