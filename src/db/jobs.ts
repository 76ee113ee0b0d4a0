// Jobs are added with SQL inside the caller's transaction, so a job exists exactly when its row does.
// The tasks that run them are src/jobs/submit-transaction.ts and src/jobs/deliver-webhook.ts.
import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.js';

export const SUBMIT_TRANSACTION = 'submit_transaction';

/**
 * A user's operations run in order in a queue of their own per (client, user) — hashed, because user
 * ids may be long and hold any printable character — or, with several lanes per user
 * (MAX_PARALLEL_OPS_PER_ACCOUNT), in that many queues: operation n (in accept order) in lane n mod lanes,
 * so that at most `lanes` of a user's jobs run at once and each waits only for older ones
 * (src/jobs/submit-transaction.ts decides what it must wait for).
 */
export function userQueueName({ clientId, userId }: { clientId: string; userId: string }): string {
  return `user:${createHash('sha256').update(`${clientId}/${userId}`).digest('hex').slice(0, 40)}`;
}

/**
 * SQL adding one submit job per row of `inserted` (a CTE with `id` and `accept_seq`), each on its
 * user's queue, in acceptance order: composed into the statement that inserts the rows, so a job
 * exists exactly when its row does. Selects the number of jobs added.
 *
 * graphile-worker takes a queue's jobs in run_at order (not id order), so run_at carries acceptance
 * order: the clock when the jobs are added (after the user's lock was taken), plus a microsecond per
 * earlier job of the same user in this batch. Left to default, run_at is now(), the accept transaction's
 * start, the same for a whole batch, and a transaction that began first may take the user's lock
 * second; with ties or inversions a later operation's job could hold the user's queue, waiting for an
 * older operation whose job can never start behind it (and add_jobs does not insert in array order).
 */
export function submitJobsFor(
  inserted: string,
  jobs: readonly { transactionId: string; clientId: string; userId: string }[],
  { lanesPerUser = 1 }: { lanesPerUser?: number } = {},
): RawBuilder<{ n: number }> {
  // One lane: the queue name operations always had, so that jobs queued before an upgrade share it.
  const queue = lanesPerUser === 1 ? sql`q.queue_name` : sql`q.queue_name || ':' || (i.accept_seq % ${lanesPerUser})`;
  return sql`select case when exists (select 1 from ${sql.table(inserted)}) then (
    select count(*) from graphile_worker.add_jobs(array(
      select row(${SUBMIT_TRANSACTION}::text, json_build_object('transactionId', i.id), ${queue},
        (select clock_timestamp()) + (row_number() over (partition by ${queue} order by i.accept_seq)) * interval '1 microsecond',
        1000, null, null, null)::graphile_worker.job_spec
      from ${sql.table(inserted)} as i
      join unnest(${jobs.map((j) => j.transactionId)}::text[], ${jobs.map(userQueueName)}::text[]) as q(id, queue_name) on q.id = i.id
      order by i.accept_seq
    ))
  ) else 0 end as n`;
}

export const DELIVER_WEBHOOK = 'deliver_webhook';

/**
 * Adds (or moves) the one waiting job of a delivery. The job key keeps it at one: adding it again
 * replaces the waiting job's run time; if that job is running, graphile-worker leaves it alone and
 * adds a fresh one. Retries are scheduled by the task itself, so graphile's own attempts only cover
 * the task failing outright (database unavailable).
 */
export async function enqueueWebhookDelivery(db: Kysely<Database>, { deliveryId, delayMs = 0 }: { deliveryId: string; delayMs?: number }): Promise<void> {
  await sql`select ${addDeliveryJob(sql`${deliveryId}::text`, delayMs)}`.execute(db);
}

/** SQL adding (or moving) a delivery's one waiting job, for composing into a larger statement. */
export function addDeliveryJob(deliveryId: RawBuilder<string>, delayMs: number): RawBuilder<unknown> {
  return sql`graphile_worker.add_job(
    ${DELIVER_WEBHOOK}::text,
    json_build_object('deliveryId', ${deliveryId}),
    run_at => now() + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond',
    max_attempts => 25,
    job_key => ${`${DELIVER_WEBHOOK}:`}::text || ${deliveryId}
  )`;
}

/** Drops the waiting job of a delivery that needs no more attempts (a running one is told not to retry). */
export async function removeWebhookDeliveryJob(db: Kysely<Database>, { deliveryId }: { deliveryId: string }): Promise<void> {
  await sql`select graphile_worker.remove_job(${`${DELIVER_WEBHOOK}:${deliveryId}`}::text)`.execute(db);
}
