// A reorg took blocks away: every inclusion recorded in them is forgotten, in one database
// transaction with its history entry and — for a transaction that had already settled (CONFIRMATIONS=0)
// — its `transaction.reorged` event. Statuses do not move: a SUBMITTED one waits to be included again
// as before; a settled one keeps its status and is re-sent until it is included again.
import type { Db } from '../db/connect.js';
import { forgetInclusionsAbove, type ReorgedInclusion } from '../db/inclusions.js';
import { findTransaction, noteTransaction } from '../db/transactions.js';
import { isTerminal } from '../statuses.js';
import { recordReorgedTransactionEvent } from '../webhooks/outbox.js';

/** Forgets the inclusions above `ancestor` (the newest block still on the chain); returns what they were. */
export async function forgetReorgedInclusions(db: Db, { ancestor }: { ancestor: bigint }): Promise<ReorgedInclusion[]> {
  return db.transaction().execute(async (trx) => {
    const gone = await forgetInclusionsAbove(trx, ancestor);
    for (const row of gone) {
      const where = `block ${row.block_number} (${row.block_hash})`;
      if (!isTerminal(row.status)) {
        await noteTransaction(trx, {
          transactionId: row.id,
          status: row.status,
          reason: `inclusion in ${where} reorged out before it settled; re-sent, waiting to be included again`,
        });
        continue;
      }
      const reason = `${row.status} in ${where}, which a reorg took out; the stored operation is re-sent until it is included again`;
      await noteTransaction(trx, { transactionId: row.id, status: row.status, reason });
      await recordReorgedTransactionEvent(trx, {
        transaction: (await findTransaction(trx, row.id))!,
        reorg: { reason, txHash: row.tx_hash, blockNumber: BigInt(row.block_number!), blockHash: row.block_hash! },
      });
    }
    return gone;
  });
}
