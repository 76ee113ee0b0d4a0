// Payment intents (README, Payments) and the operations that move their escrows.
import type { Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, NewPaymentIntent, PaymentIntent, Transaction } from './schema.js';

type Queryable = Db | DbTransaction<Database>;

export async function insertPaymentIntent(db: Queryable, intent: NewPaymentIntent): Promise<PaymentIntent> {
  return db.insertInto('payment_intents').values(intent).returningAll().executeTakeFirstOrThrow();
}

export async function findPaymentIntent(db: Queryable, { clientId, intentId }: { clientId: string; intentId: string }): Promise<PaymentIntent | undefined> {
  return db.selectFrom('payment_intents').selectAll().where('client_id', '=', clientId).where('id', '=', intentId).executeTakeFirst();
}

export async function findPaymentIntentByEscrow(
  db: Queryable,
  { clientId, escrowId }: { clientId: string; escrowId: string },
): Promise<PaymentIntent | undefined> {
  return db.selectFrom('payment_intents').selectAll().where('client_id', '=', clientId).where('escrow_id', '=', escrowId).executeTakeFirst();
}

export type EscrowOperation = Pick<Transaction, 'id' | 'type' | 'status' | 'tx_hash' | 'error_code' | 'created_at' | 'updated_at'>;

/** Every operation that moved (or tried to move) the escrow, oldest first. */
export async function escrowOperations(db: Queryable, { clientId, escrowId }: { clientId: string; escrowId: string }): Promise<EscrowOperation[]> {
  return db
    .selectFrom('transactions')
    .select(['id', 'type', 'status', 'tx_hash', 'error_code', 'created_at', 'updated_at'])
    .where('client_id', '=', clientId)
    .where('escrow_id', '=', escrowId)
    .orderBy('accept_seq')
    .execute();
}
