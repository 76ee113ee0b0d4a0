// The one place transaction status is written: a guarded update that only moves forward, the
// transition recorded beside it, and a notification for whoever waits on the transaction — all in
// the caller's unit of work (then a terminal status's webhook is sent by this process right after the
// commit when it delivers webhooks, else by its job; see unit-of-work.ts).
import type { RawBuilder } from 'kysely';
import type { Transaction, TransactionChanges, TransactionStatus } from '../db/schema.js';
import { creationHistorySql, moveTransactionStatus } from '../db/transaction-status.js';
import { isTerminal, predecessorsOf } from './machine.js';
import { recordTerminalTransactionEvent } from '../webhooks/outbox.js';
import { timeInStatus, transactionTransitions } from '../observability/metrics.js';
import type { UnitOfWork } from './unit-of-work.js';

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
  const row = await moveTransactionStatus(trx, { transactionId, from: predecessorsOf(to), to, reason, changes });
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
  return creationHistorySql(inserted);
}
