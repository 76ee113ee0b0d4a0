// A status change and what follows its commit, explicitly: the database transaction it is written in,
// the hooks that run once that transaction has committed (never after a rollback), and — when this
// process sends webhooks itself — the sender that makes the terminal status's deliveries right after
// the commit. The composition root decides whether a process has that sender (src/runtime/services.ts);
// nothing else does.
import type { Transaction as DbTransaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { CommitSender } from '../webhooks/outbox.js';

export type UnitOfWork = {
  readonly trx: DbTransaction<Database>;
  /** Runs `fn` once the transaction has committed. */
  afterCommit(fn: () => void): void;
  /** Set when this process delivers webhooks: the deliveries recorded here are sent by it at commit. */
  readonly webhooksAtCommit?: CommitSender;
};

/** What running a unit of work needs: the database and, in a process that delivers webhooks, its sender. */
export type UnitOfWorkContext = { db: Db; webhooksAtCommit?: CommitSender };

/** Runs `work` in one database transaction, then (once it has committed) the hooks it registered. */
export async function runUnitOfWork<T>({ db, webhooksAtCommit }: UnitOfWorkContext, work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
  const committed: (() => void)[] = [];
  const result = await db.transaction().execute((trx) => work({ trx, webhooksAtCommit, afterCommit: (fn) => void committed.push(fn) }));
  for (const fn of committed) fn();
  return result;
}
