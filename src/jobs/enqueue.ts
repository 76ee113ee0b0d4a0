// Jobs are added with SQL inside the caller's transaction, so a job exists exactly when its row does.
import { createHash } from 'node:crypto';
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Database } from '../db/schema.js';

export const SUBMIT_TRANSACTION = 'submit_transaction';

/**
 * A user's operations run one after another, in order: one queue per (client, user). Hashed, because
 * user ids may be long and hold any printable character.
 */
export function userQueueName({ clientId, userId }: { clientId: string; userId: string }): string {
  return `user:${createHash('sha256').update(`${clientId}/${userId}`).digest('hex').slice(0, 40)}`;
}

export async function enqueueSubmitTransaction(trx: DbTransaction<Database>, p: { transactionId: string; clientId: string; userId: string }): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${SUBMIT_TRANSACTION}::text,
    json_build_object('transactionId', ${p.transactionId}::text),
    queue_name => ${userQueueName(p)}::text,
    max_attempts => 1000
  )`.execute(trx);
}
