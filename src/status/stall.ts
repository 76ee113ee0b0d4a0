// Flagging a stalled transaction: SUBMITTED, not included within STALLED_AFTER_SECONDS. Recorded once,
// with the reason, together with its `transaction.stalled` webhook event (same database transaction).
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Transaction } from '../db/schema.js';
import { recordStalledTransactionEvent } from '../webhooks/outbox.js';

/** Returns the flagged row, or undefined if it was flagged before or is no longer SUBMITTED. */
export async function flagStalledTransaction(db: Db, { transactionId, reason }: { transactionId: string; reason: string }): Promise<Transaction | undefined> {
  return db.transaction().execute(async (trx) => {
    const flagged = await trx
      .updateTable('transactions')
      .set({ stalled_at: sql`clock_timestamp()`, stall_reason: reason })
      .where('id', '=', transactionId)
      .where('status', '=', 'SUBMITTED')
      .where('stalled_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (flagged) await recordStalledTransactionEvent(trx, { transaction: flagged, reason });
    return flagged;
  });
}
