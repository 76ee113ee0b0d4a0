// The one place transaction status is written: a guarded update that only moves forward, the
// transition recorded beside it, and a notification for whoever waits on the transaction — all in
// the caller's database transaction.
import { sql, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Database, Transaction, TransactionChanges, TransactionStatus } from '../db/schema.js';
import { isTerminal, predecessorsOf } from './machine.js';
import { recordTerminalTransactionEvent } from '../webhooks/outbox.js';
import { timeInStatus, transactionTransitions } from '../observability/metrics.js';

export const STATUS_CHANNEL = 'chronos_transaction_status';

export type TransitionParameters = {
  transactionId: string;
  to: TransactionStatus;
  /** Why, in a few words: kept with the transition for whoever reads the history. */
  reason?: string;
  /** Columns written together with the status (hashes, block, error…). */
  changes?: Omit<TransactionChanges, 'status' | 'id' | 'updated_at' | 'created_at'>;
};

/**
 * Moves the transaction to `to` if its current status may precede it; returns the updated row, or
 * undefined when it was already elsewhere (another process got there first, or it is terminal).
 */
export async function transitionTransaction(trx: DbTransaction<Database>, { transactionId, to, reason, changes = {} }: TransitionParameters): Promise<Transaction | undefined> {
  const current = await trx.selectFrom('transactions').select('status').where('id', '=', transactionId).forUpdate().executeTakeFirst();
  if (!current || !predecessorsOf(to).includes(current.status)) return undefined;
  const since = await trx.selectFrom('transaction_transitions')
    .select(sql<number | null>`extract(epoch from clock_timestamp() - max(at))::float8`.as('seconds'))
    .where('transaction_id', '=', transactionId).executeTakeFirst();
  const updated = await trx.updateTable('transactions')
    .set({ ...changes, status: to, updated_at: sql`clock_timestamp()` })
    .where('id', '=', transactionId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.insertInto('transaction_transitions')
    .values({ transaction_id: transactionId, from_status: current.status, to_status: to, reason: reason ?? null })
    .execute();
  // Outbox: the webhook event and its delivery job commit (or roll back) with the status itself.
  if (isTerminal(to)) await recordTerminalTransactionEvent(trx, { transaction: updated });
  await sql`select pg_notify(${STATUS_CHANNEL}, ${transactionId})`.execute(trx);
  // Counted before the caller commits: a rollback (the database lost mid-way) over-counts one change,
  // which beats threading a commit hook through every caller.
  transactionTransitions.inc({ from: current.status, to });
  if (since?.seconds != null) timeInStatus.observe({ status: current.status, type: updated.type }, Math.max(0, since.seconds));
  return updated;
}

/**
 * SQL writing the first entry of each new transaction's history — its rows start ACCEPTED — for every
 * row of `inserted` (a CTE with `id`): composed into the statement that inserts the rows.
 */
export function creationHistoryFor(inserted: string, count: number): RawBuilder<unknown> {
  // Counted before the statement commits, as every transition is (see transitionTransaction).
  transactionTransitions.inc({ from: 'none', to: 'ACCEPTED' }, count);
  return sql`insert into transaction_transitions (transaction_id, from_status, to_status, reason)
    select id, null, 'ACCEPTED', 'accepted' from ${sql.table(inserted)}`;
}
