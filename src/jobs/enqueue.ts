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

/** One submit job per transaction, on its user's queue: one statement for any number of them. */
export async function enqueueSubmitTransactions(trx: DbTransaction<Database>, jobs: readonly { transactionId: string; clientId: string; userId: string }[]): Promise<void> {
  if (jobs.length === 0) return;
  await sql`select graphile_worker.add_jobs(array(
    select row(${SUBMIT_TRANSACTION}::text, json_build_object('transactionId', id), queue_name, null, 1000, null, null, null)::graphile_worker.job_spec
    from unnest(${jobs.map((j) => j.transactionId)}::text[], ${jobs.map(userQueueName)}::text[]) with ordinality as job(id, queue_name, n)
    order by n
  ))`.execute(trx);
}
