// The one place transaction status is written: a guarded update that only moves forward, the
// transition recorded beside it, and a notification for whoever waits on the transaction — all in
// the caller's unit of work (then a terminal status's webhook is sent by this process right after the
// commit when it delivers webhooks, else by its job; see unit-of-work.ts).
import { sql, type RawBuilder } from 'kysely';
import type { Transaction, TransactionChanges, TransactionStatus } from '../db/schema.js';
import { isTerminal, predecessorsOf } from './machine.js';
import { recordTerminalTransactionEvent } from '../webhooks/outbox.js';
import { timeInStatus, transactionTransitions } from '../observability/metrics.js';
import type { UnitOfWork } from './unit-of-work.js';

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
export async function transitionTransaction(
  unit: UnitOfWork,
  { transactionId, to, reason, changes = {} }: TransitionParameters,
): Promise<Transaction | undefined> {
  const { trx } = unit;
  // One statement (it runs inside settlements and sends, whose commits wait on every round trip): lock
  // the row and read its status as it is now, move it if that status may precede `to`, record the move
  // and how long the old status lasted, and notify whoever waits on the transaction.
  const moved = trx
    .updateTable('transactions')
    .set({ ...changes, status: to, updated_at: sql`clock_timestamp()` })
    .where('id', '=', transactionId)
    .where('status', 'in', predecessorsOf(to))
    // Makes the row lock below come first.
    .where(sql<boolean>`exists (select 1 from current)`)
    .returningAll();
  const { rows } = await sql<Transaction & { from_status: TransactionStatus; since_seconds: number | null }>`
    with current as (select status from transactions where id = ${transactionId} for update),
    since as (
      select extract(epoch from clock_timestamp() - max(at))::float8 as seconds from transaction_transitions
      -- Since the status began: notes (from = to, e.g. a re-sponsoring) do not restart it.
      where transaction_id = ${transactionId} and from_status is distinct from to_status
    ),
    moved as (${moved}),
    history as (
      insert into transaction_transitions (transaction_id, from_status, to_status, reason)
      select id, (select status from current), ${to}, ${reason ?? null} from moved
    ),
    notified as (select pg_notify(${STATUS_CHANNEL}, id) from moved)
    select moved.*, (select status from current) as from_status, (select seconds from since) as since_seconds
    from moved where (select count(*) from notified) >= 0
  `.execute(trx);
  const row = rows[0];
  if (!row) return undefined;
  const { from_status: from, since_seconds: seconds, ...updated } = row;
  // Outbox: the webhook event and its delivery job commit (or roll back) with the status itself.
  if (isTerminal(to)) {
    const sendAtCommit = unit.webhooksAtCommit ? { sender: unit.webhooksAtCommit, afterCommit: unit.afterCommit } : undefined;
    await recordTerminalTransactionEvent(trx, { transaction: updated, sendAtCommit });
  }
  // Counted before the caller commits: a rollback (the database lost mid-way) over-counts one change,
  // which beats threading a commit hook through every caller.
  transactionTransitions.inc({ from, to });
  if (seconds != null) timeInStatus.observe({ status: from, type: updated.type }, Math.max(0, seconds));
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
