import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, Transaction } from './schema.js';
import { ACTIVE_STATUSES } from '../status/machine.js';

export async function findTransaction(db: Db, id: string): Promise<Transaction | undefined> {
  return db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Wei this user has committed to operations not yet finished (their debits are not yet on-chain). */
export async function sumInFlightDebits(trx: DbTransaction<Database> | Db, { clientId, userId }: { clientId: string; userId: string }): Promise<bigint> {
  const row = await trx.selectFrom('transactions')
    .select(sql<string>`coalesce(sum(debit_wei), 0)::text`.as('total'))
    .where('client_id', '=', clientId).where('user_id', '=', userId)
    .where('status', 'in', [...ACTIVE_STATUSES])
    .executeTakeFirstOrThrow();
  return BigInt(row.total);
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
