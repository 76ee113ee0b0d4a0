// Flagging a stalled transaction: SUBMITTED, not included within STALLED_AFTER_SECONDS. Recorded once,
// with the reason, together with its `transaction.stalled` webhook event (same database transaction).
import type { Db } from '../db/connect.js';
import type { Transaction } from '../db/schema.js';
import { markStalled } from '../db/transaction-progress.js';
import { recordStalledTransactionEvent } from '../webhooks/outbox.js';

/** Returns the flagged row, or undefined if it was flagged before or is no longer SUBMITTED. */
export async function flagStalledTransaction(db: Db, { transactionId, reason }: { transactionId: string; reason: string }): Promise<Transaction | undefined> {
  return db.transaction().execute(async (trx) => {
    const flagged = await markStalled(trx, { transactionId, reason });
    if (flagged) await recordStalledTransactionEvent(trx, { transaction: flagged, reason });
    return flagged;
  });
}
