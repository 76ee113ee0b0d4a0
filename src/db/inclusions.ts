// What the tracker records of inclusions (README, Confirmations and reorgs): an inclusion seen in a
// block that is not deep enough yet, the blocks of recent inclusions it compares with the chain, and
// the inclusions a reorg took away. Status itself is written only by src/status/transition.ts.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, Transaction } from './schema.js';
import { IN_FLIGHT } from '../statuses.js';

export type IncludedOutcome = NonNullable<Transaction['included_outcome']>;

/** The columns an inclusion writes: where it is, what it cost and, until it settles, how it will. */
export type InclusionColumns = Pick<Transaction, 'tx_hash' | 'block_hash'> & {
  user_op_hash?: string | null;
  block_number: bigint;
  gas_used: bigint;
  gas_cost_wei: bigint;
};

export type TrackedByHash = Pick<Transaction, 'id' | 'status' | 'user_op_hash' | 'replacement_user_op_hash' | 'block_hash'> & {
  /** The hash of the operation stored now (differs from user_op_hash when a superseded one matched). */
  stored_user_op_hash: string | null;
};

/**
 * The transactions an inclusion of one of these (lower-case) hashes may belong to: in flight, or
 * settled and waiting to be included again after a reorg. An original re-built after a fee spike
 * (jobs/fee-spike.ts) may still be included in its place — they share a nonce, so at most one ever
 * is —: a superseded hash among `hashes` is returned as `user_op_hash`, so that its inclusion settles
 * the transaction like the stored original's.
 */
export async function trackedWithUserOpHashes(db: Db, hashes: string[]): Promise<TrackedByHash[]> {
  const wanted = sql`${sql.val(hashes)}::text[]`;
  return db
    .selectFrom('transactions')
    .select(['id', 'status', 'replacement_user_op_hash', 'block_hash', 'user_op_hash as stored_user_op_hash'])
    .select(
      sql<string | null>`case when user_op_hash = any(${wanted}) then user_op_hash
        else coalesce((select h from unnest(superseded_user_op_hashes) h where h = any(${wanted}) limit 1), user_op_hash) end`.as('user_op_hash'),
    )
    .where((eb) =>
      eb.and([
        eb.or([eb('user_op_hash', 'in', hashes), eb('replacement_user_op_hash', 'in', hashes), sql<boolean>`superseded_user_op_hashes && ${wanted}`]),
        eb.or([eb('status', 'in', [...IN_FLIGHT]), eb.and([eb('reorged_at', 'is not', null), eb('block_hash', 'is', null)])]),
      ]),
    )
    .execute();
}

/** Records an inclusion that is not deep enough yet on a SUBMITTED transaction; false if it is no longer SUBMITTED. */
export async function recordPendingInclusion(
  trx: DbTransaction<Database>,
  { transactionId, columns, outcome, errorMessage }: { transactionId: string; columns: InclusionColumns; outcome: IncludedOutcome; errorMessage?: string },
): Promise<boolean> {
  const row = await trx
    .updateTable('transactions')
    .set({ ...columns, included_outcome: outcome, included_error_message: errorMessage ?? null })
    .where('id', '=', transactionId)
    .where('status', '=', 'SUBMITTED')
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records where a settled transaction that a reorg had taken out is included now. */
export async function recordReinclusion(
  trx: DbTransaction<Database>,
  { transactionId, columns }: { transactionId: string; columns: InclusionColumns },
): Promise<boolean> {
  const row = await trx
    .updateTable('transactions')
    .set(columns)
    .where('id', '=', transactionId)
    .where('reorged_at', 'is not', null)
    .where('block_hash', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export type PendingInclusion = Pick<Transaction, 'id' | 'block_number' | 'block_hash' | 'included_outcome' | 'included_error_message'>;

/** SUBMITTED transactions whose recorded inclusion is at or below `block` (deep enough to settle), oldest block first. */
export async function pendingInclusionsUpTo(db: Db, block: bigint): Promise<PendingInclusion[]> {
  return db
    .selectFrom('transactions')
    .select(['id', 'block_number', 'block_hash', 'included_outcome', 'included_error_message'])
    .where('status', 'in', [...IN_FLIGHT])
    .where('included_outcome', 'is not', null)
    .where('block_number', '<=', block.toString())
    .orderBy('block_number')
    .execute();
}

/** Whether any SUBMITTED transaction has an inclusion recorded that is not deep enough yet. */
export async function anyPendingInclusion(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('transactions')
    .select('id')
    .where('status', 'in', [...IN_FLIGHT])
    .where('included_outcome', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The distinct blocks of recorded inclusions above `block`, newest first: what a reorg check compares with the chain. */
export async function inclusionBlocksAbove(db: Db, block: bigint, limit: number): Promise<{ number: bigint; hash: string }[]> {
  const rows = await db
    .selectFrom('transactions')
    .select(['block_number', 'block_hash'])
    .distinct()
    .where('block_number', '>', block.toString())
    .where('block_hash', 'is not', null)
    .orderBy('block_number', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ number: BigInt(r.block_number!), hash: r.block_hash! }));
}

export type ReorgedInclusion = Pick<
  Transaction,
  'id' | 'status' | 'block_number' | 'block_hash' | 'tx_hash' | 'user_op' | 'replacement_user_op' | 'included_outcome'
>;

/**
 * Forgets every inclusion recorded above `block` (they were reorged out), in the caller's transaction:
 * a SUBMITTED one goes back to waiting for inclusion; a settled one keeps its status and is marked
 * reorged. Returns what each was, for the history, the webhook and the re-send.
 */
export async function forgetInclusionsAbove(trx: DbTransaction<Database>, block: bigint): Promise<ReorgedInclusion[]> {
  const { rows } = await sql<ReorgedInclusion>`
    with gone as (
      select id, status, block_number, block_hash, tx_hash, included_outcome from transactions
      where block_number > ${block.toString()} and block_hash is not null
      for update
    )
    update transactions t set
      tx_hash = null, block_number = null, block_hash = null, included_outcome = null, included_error_message = null,
      reorged_at = case when t.status in (${sql.join([...IN_FLIGHT])}) then t.reorged_at else clock_timestamp() end
    from gone
    where t.id = gone.id
    returning t.id, t.status, gone.block_number, gone.block_hash, gone.tx_hash, t.user_op, t.replacement_user_op, gone.included_outcome
  `.execute(trx);
  return rows;
}

export type AwaitingReinclusion = Pick<Transaction, 'id' | 'status' | 'user_op' | 'replacement_user_op' | 'reorged_at'>;

/** Settled transactions whose inclusion a reorg took away and that are not included again yet. */
export async function awaitingReinclusion(db: Db): Promise<AwaitingReinclusion[]> {
  return db
    .selectFrom('transactions')
    .select(['id', 'status', 'user_op', 'replacement_user_op', 'reorged_at'])
    .where('reorged_at', 'is not', null)
    .where('block_hash', 'is', null)
    .orderBy('reorged_at')
    .limit(500)
    .execute();
}
