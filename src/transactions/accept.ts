// Accepting an operation is one Postgres transaction: the idempotency key, the transaction row, its
// first transition and the worker job, all or nothing. Checks that depend on what else this user has
// in flight (quota, balance, mint nonce) run inside it, under a per-user lock, so two requests cannot both
// spend the same tokens.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database, NewTransaction } from '../db/schema.js';
import { recordCreation } from '../status/transition.js';
import { enqueueSubmitTransaction } from '../jobs/enqueue.js';
import { AppError } from '../app-error.js';
import { newTransactionId } from './ids.js';
import { replayIfKnown, type AcceptedResponse, type IdempotencyKey } from './idempotency.js';
import { enforceQuotaUnderLock } from '../policy/quota.js';

export type AcceptParameters = {
  clientId: string;
  userId: string;
  walletAddress: string;
  row: Omit<NewTransaction, 'id' | 'client_id' | 'user_id' | 'wallet_address' | 'status'>;
  idempotency?: IdempotencyKey;
  /** Checks that must see this user's in-flight operations consistently; throw an AppError to refuse. */
  checkUnderLock?: (trx: DbTransaction<Database>) => Promise<void>;
};

const UNIQUE_VIOLATIONS: Record<string, AppError> = {
  transactions_receipt_once: new AppError(409, 'RECEIPT_ALREADY_MINTED', 'Receipt has already been minted'),
  transactions_claim_once: new AppError(409, 'CLAIM_ALREADY_USED', 'This claim id has already been used'),
};

/** `quotaRemaining`: what the user's quota leaves for this operation type once it is counted (when limited). */
export async function acceptOperation(db: Db, p: AcceptParameters): Promise<AcceptedResponse & { quotaRemaining?: number }> {
  const transactionId = newTransactionId();
  const body = { transactionId, status: 'ACCEPTED' };
  let duplicate = false;
  let quotaRemaining: number | undefined;
  try {
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${p.clientId}/${p.userId}`}, 0))`.execute(trx);
      if (p.idempotency) {
        const claimed = await trx.insertInto('idempotency_keys')
          .values({
            client_id: p.clientId, key: p.idempotency.key, request_hash: p.idempotency.requestHash,
            transaction_id: transactionId, response_status: 202, response_body: JSON.stringify(body),
          })
          .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
          .returning('key').executeTakeFirst();
        if (!claimed) { duplicate = true; return; }
      }
      ({ remaining: quotaRemaining } = await enforceQuotaUnderLock(trx, { clientId: p.clientId, userId: p.userId, operation: p.row.type }));
      await p.checkUnderLock?.(trx);
      await trx.insertInto('transactions').values({
        ...p.row, id: transactionId, client_id: p.clientId, user_id: p.userId, wallet_address: p.walletAddress,
      }).execute();
      await recordCreation(trx, { transactionId });
      await enqueueSubmitTransaction(trx, { transactionId, clientId: p.clientId, userId: p.userId });
    });
  } catch (error) {
    const constraint = (error as { constraint?: string }).constraint;
    if ((error as { code?: string }).code === '23505' && constraint && UNIQUE_VIOLATIONS[constraint]) throw UNIQUE_VIOLATIONS[constraint];
    throw error;
  }
  if (duplicate && p.idempotency) {
    const replay = await replayIfKnown(db, { clientId: p.clientId, ...p.idempotency });
    if (!replay) throw new Error('idempotency key conflicted but no stored answer was found');
    return replay;
  }
  return { status: 202, body, replayed: false, quotaRemaining };
}
