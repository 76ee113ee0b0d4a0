// What the worker reads and writes of a transaction as it moves it along, besides its status (which
// only src/status/transition.ts writes): ordering, in-flight checks, stall flags and replacement sends.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, Transaction } from './schema.js';
import { ACTIVE, IN_FLIGHT } from '../statuses.js';
import { SUBMIT_TRANSACTION } from './jobs.js';

type OrderedRow = Pick<Transaction, 'id' | 'accept_seq' | 'client_id' | 'user_id' | 'mint_nonce' | 'token_address'>;

/**
 * What an operation must wait for before it is built (README, One busy user), as the id of the oldest
 * older active operation of the same user that holds it back, if any:
 * - `serial` (one operation at a time, or an account not deployed yet, which the oldest one deploys): any;
 * - an operation with an ordered nonce (a mint): the older ones with ordered nonces on the same token;
 * - else only a full account: `maxParallel` or more older operations still active.
 */
export async function blockingOlderTransaction(
  db: Db,
  tx: OrderedRow,
  { serial, maxParallel }: { serial: boolean; maxParallel: number },
): Promise<string | undefined> {
  const older = db
    .selectFrom('transactions')
    .where('client_id', '=', tx.client_id)
    .where('user_id', '=', tx.user_id)
    .where('status', 'in', [...ACTIVE])
    .where('accept_seq', '<', tx.accept_seq);
  if (serial) return (await older.select('id').orderBy('accept_seq').limit(1).executeTakeFirst())?.id;
  if (tx.mint_nonce !== null) {
    const ordered = await older
      .select('id')
      .where('mint_nonce', 'is not', null)
      .where((eb) => (tx.token_address === null ? eb('token_address', 'is', null) : eb('token_address', '=', tx.token_address)))
      .orderBy('accept_seq')
      .limit(1)
      .executeTakeFirst();
    if (ordered) return ordered.id;
  }
  // Uses transactions_user_order (client_id, user_id, accept_seq) over the active rows only.
  const row = await older.select([sql<string>`(array_agg(id order by accept_seq))[1]`.as('oldest'), sql<string>`count(*)`.as('n')]).executeTakeFirst();
  return row && Number(row.n) >= maxParallel ? row.oldest : undefined;
}

/**
 * The nonce key of a transaction about to be built: its own if it has one, else the lowest key in
 * 0 … maxParallel-1 that no other active operation of the account holds. Undefined when all are held
 * (or another run took the one this found: transactions_nonce_key_in_use): look again after a wait.
 */
export async function claimNonceKey(
  db: Db,
  { transactionId, walletAddress, maxParallel }: { transactionId: string; walletAddress: string; maxParallel: number },
): Promise<bigint | undefined> {
  try {
    const { rows } = await sql<{ nonce_key: string | null }>`
      update transactions set nonce_key = coalesce(nonce_key, (
        select k from generate_series(0, ${maxParallel - 1}) k
        where k not in (
          select nonce_key from transactions
          where wallet_address = ${walletAddress} and status in (${sql.join([...ACTIVE])}) and nonce_key is not null and id <> ${transactionId}
        )
        order by k limit 1
      ))
      where id = ${transactionId}
      returning nonce_key
    `.execute(db);
    const key = rows[0]?.nonce_key;
    return key == null ? undefined : BigInt(key);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return undefined;
    throw error;
  }
}

/**
 * Anything that can still be included: SUBMITTING (it may be sent any moment), SUBMITTED, or settled
 * and taken out by a reorg (re-sent until it is included again).
 */
export async function anythingInFlight(db: Db): Promise<boolean> {
  // Each half uses a partial index: transactions_submitted (status in SUBMITTING, SUBMITTED) and
  // transactions_awaiting_reinclusion.
  const { rows } = await sql<{ found: boolean }>`
    select exists (select 1 from transactions where status in (${sql.join([...IN_FLIGHT])}))
        or exists (select 1 from transactions where reorged_at is not null and block_hash is null) as found
  `.execute(db);
  return rows[0]?.found ?? false;
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
