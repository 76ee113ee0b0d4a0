import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, NewTransaction, Transaction } from './schema.js';
import { ACTIVE_STATUSES } from '../status/machine.js';

export async function findTransaction(db: Db, id: string): Promise<Transaction | undefined> {
  return db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

export type UserAtBlock = { clientId: string; userId: string; block: bigint };

/**
 * For each user, what the chain as of `block` does not show yet: the wei of their operations in flight
 * or settled after that block, and the highest mint nonce among their mints in that state. An operation
 * included at or before `block` but not yet settled is counted too (twice, which only errs safe).
 */
export async function loadUnsettledSince(trx: DbTransaction<Database> | Db, users: readonly UserAtBlock[]): Promise<{ debitWei: bigint; maxMintNonce?: bigint }[]> {
  if (users.length === 0) return [];
  const active = sql.join(ACTIVE_STATUSES.map((status) => sql.lit(status)));
  const { rows } = await sql<{ i: string; debit_wei: string; mint_nonce: string | null }>`
    select u.i, coalesce(sum(t.debit_wei), 0)::text as debit_wei, (max(t.mint_nonce) filter (where t.type = 'mint'))::text as mint_nonce
    from unnest(${users.map((u) => u.clientId)}::text[], ${users.map((u) => u.userId)}::text[], ${users.map((u) => u.block.toString())}::bigint[])
      with ordinality as u(client_id, user_id, block, i)
    left join lateral (
      select debit_wei, type, mint_nonce from transactions
      where client_id = u.client_id and user_id = u.user_id and status in (${active})
      union all
      select debit_wei, type, mint_nonce from transactions
      where client_id = u.client_id and user_id = u.user_id and block_number > u.block and status not in (${active})
    ) as t on true
    group by u.i
  `.execute(trx);
  const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
  return users.map((_, index) => {
    const row = byIndex.get(index + 1)!;
    return { debitWei: BigInt(row.debit_wei), maxMintNonce: row.mint_nonce === null ? undefined : BigInt(row.mint_nonce) };
  });
}

/** Inserts the rows; returns the ids written (a row a unique index refuses is skipped, not an error). */
export async function insertTransactions(trx: DbTransaction<Database>, rows: NewTransaction[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await trx.insertInto('transactions').values(rows).onConflict((oc) => oc.doNothing()).returning('id').execute();
  return new Set(inserted.map((row) => row.id));
}

/** The highest mint nonce among this wallet's in-flight mints, if any. */
export async function maxInFlightMintNonce(trx: DbTransaction<Database> | Db, { walletAddress }: { walletAddress: string }): Promise<bigint | undefined> {
  const row = await trx.selectFrom('transactions')
    .select(sql<string | null>`max(mint_nonce)::text`.as('nonce'))
    .where('wallet_address', '=', walletAddress).where('type', '=', 'mint')
    .where('status', 'in', [...ACTIVE_STATUSES])
    .executeTakeFirstOrThrow();
  return row.nonce === null ? undefined : BigInt(row.nonce);
}

/** Whether a receipt is in flight or minted through Chronos (any client: receipts are per token). */
export async function receiptInUse(db: Db, receiptHash: string): Promise<boolean> {
  const row = await db.selectFrom('transactions').select('id')
    .where('type', '=', 'mint').where('receipt_hash', '=', receiptHash)
    .where('status', 'not in', ['FAILED', 'EXPIRED', 'REVERTED'])
    .executeTakeFirst();
  return row !== undefined;
}

/** The stored signed UserOperation, written once: a retry re-sends it instead of building another. */
export async function storeUserOperation(db: Db, { transactionId, userOp, userOpHash }: { transactionId: string; userOp: Record<string, string>; userOpHash: string }): Promise<Transaction | undefined> {
  return db.updateTable('transactions')
    .set({ user_op: JSON.stringify(userOp), user_op_hash: userOpHash, updated_at: sql`now()` })
    .where('id', '=', transactionId).where('user_op', 'is', null).where('status', '=', 'SUBMITTING')
    .returningAll().executeTakeFirst();
}

export async function storeReplacementUserOperation(db: Db, { transactionId, userOp, userOpHash }: { transactionId: string; userOp: Record<string, string>; userOpHash: string }): Promise<Transaction | undefined> {
  return db.updateTable('transactions')
    .set({ replacement_user_op: JSON.stringify(userOp), replacement_user_op_hash: userOpHash, updated_at: sql`now()` })
    .where('id', '=', transactionId).where('replacement_user_op', 'is', null).where('status', '=', 'SUBMITTED')
    .returningAll().executeTakeFirst();
}

export async function listTransitions(db: Db, transactionId: string) {
  return db.selectFrom('transaction_transitions').selectAll().where('transaction_id', '=', transactionId).orderBy('id').execute();
}
