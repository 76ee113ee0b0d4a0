// What the worker reads and writes of a transaction as it moves it along, besides its status (which
// only src/status/transition.ts writes): ordering, in-flight checks, stall flags and replacement sends.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, Transaction } from './schema.js';
import { ACTIVE, IN_FLIGHT } from '../statuses.js';
import { SUBMIT_TRANSACTION } from './jobs.js';

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

/** Anything that can still be included: SUBMITTING (it may be sent any moment) or SUBMITTED. */
export async function anythingInFlight(db: Db): Promise<boolean> {
  // Uses the partial index transactions_submitted (status in SUBMITTING, SUBMITTED).
  const row = await db
    .selectFrom('transactions')
    .select('id')
    .where('status', 'in', [...IN_FLIGHT])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The lowest submitted_block among the transactions in flight, if any has one. */
export async function oldestInFlightBlock(db: Db): Promise<bigint | undefined> {
  const row = await db
    .selectFrom('transactions')
    .select(sql<string | null>`min(submitted_block)::text`.as('b'))
    .where('status', 'in', [...IN_FLIGHT])
    .executeTakeFirst();
  return row?.b ? BigInt(row.b) : undefined;
}

export type InFlightByHash = Pick<Transaction, 'id' | 'status' | 'user_op_hash' | 'replacement_user_op_hash'>;

/**
 * The transactions in flight whose original or replacement UserOperation has one of these (lower-case)
 * hashes. An original re-built after a fee spike (jobs/fee-spike.ts) may still be included in its
 * place — they share a nonce, so at most one ever is —: a superseded hash that is among `hashes` is
 * returned as `user_op_hash`, so that its inclusion settles the transaction like the stored original's.
 */
export async function inFlightWithUserOpHashes(db: Db, hashes: string[]): Promise<InFlightByHash[]> {
  const wanted = sql`${sql.val(hashes)}::text[]`;
  return db
    .selectFrom('transactions')
    .select(['id', 'status', 'replacement_user_op_hash'])
    .select(
      sql<string | null>`case when user_op_hash = any(${wanted}) then user_op_hash
        else coalesce((select h from unnest(superseded_user_op_hashes) h where h = any(${wanted}) limit 1), user_op_hash) end`.as('user_op_hash'),
    )
    .where('status', 'in', [...IN_FLIGHT])
    .where((eb) =>
      eb.or([eb('user_op_hash', 'in', hashes), eb('replacement_user_op_hash', 'in', hashes), sql<boolean>`superseded_user_op_hashes && ${wanted}`]),
    )
    .execute();
}

/** Only what decides whether a waiter is done: the rows carry the signed UserOperations, which it does not read. */
export async function findStatuses(db: Db, ids: string[]): Promise<Pick<Transaction, 'id' | 'status'>[]> {
  return db.selectFrom('transactions').select(['id', 'status']).where('id', 'in', ids).execute();
}

/** Flags a SUBMITTED transaction as stalled, once; undefined if it was flagged before or is no longer SUBMITTED. */
export async function markStalled(
  trx: DbTransaction<Database>,
  { transactionId, reason }: { transactionId: string; reason: string },
): Promise<Transaction | undefined> {
  return trx
    .updateTable('transactions')
    .set({ stalled_at: sql`clock_timestamp()`, stall_reason: reason })
    .where('id', '=', transactionId)
    .where('status', '=', 'SUBMITTED')
    .where('stalled_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Records that the replacement was (re-)sent just now: the next re-send waits from here. */
export async function touchTransaction(db: Db, transactionId: string): Promise<void> {
  await db.updateTable('transactions').set({ updated_at: sql`now()` }).where('id', '=', transactionId).execute();
}

/** Active transactions by status, with how many of each have been SUBMITTED for longer than `stalledAfterSeconds` (the metrics gauges). */
export async function countActiveByStatus(
  db: Db,
  { stalledAfterSeconds }: { stalledAfterSeconds: number },
): Promise<{ status: string; count: number; stalled: number }[]> {
  const rows = await db
    .selectFrom('transactions')
    .select([
      'status',
      sql<string>`count(*)`.as('count'),
      sql<string>`count(*) filter (where status = 'SUBMITTED' and submitted_at < now() - make_interval(secs => ${stalledAfterSeconds}))`.as('stalled'),
    ])
    .where('status', 'in', [...ACTIVE])
    .groupBy('status')
    .execute();
  return rows.map((row) => ({ status: row.status, count: Number(row.count), stalled: Number(row.stalled) }));
}

/**
 * Active transactions that no job will ever move: no submit_transaction job for them is queued,
 * running or due for a retry (a job that used every attempt counts as none). Accept adds the job in
 * the statement that inserts the row and the job only ends at a terminal status, so this is 0 unless
 * something outside Chronos deleted jobs or an invariant broke. Only active rows are read (the
 * in-flight partial index), and graphile-worker's table holds only unfinished jobs.
 */
export async function countOrphanedTransactions(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from transactions t
    where t.status in (${sql.join([...ACTIVE])})
      and not exists (
        select 1 from graphile_worker._private_jobs j
        join graphile_worker._private_tasks task on task.id = j.task_id
        where task.identifier = ${SUBMIT_TRANSACTION} and j.payload->>'transactionId' = t.id::text and j.attempts < j.max_attempts
      )
  `.execute(db);
  return rows[0]?.n ?? 0;
}
