// Terminal webhook events without the chain: a transaction row moved by the real status writer, and
// ways to watch what became of its delivery.
import { sql } from 'kysely';
import type { Db } from '../../../src/db/connect.js';
import type { TransactionStatus, WebhookDelivery, WebhookDeliveryAttempt } from '../../../src/db/schema.js';
import { listDeliveryAttempts } from '../../../src/db/webhooks.js';
import { transitionTransaction, type TransitionParameters } from '../../../src/status/transition.js';
import { newTransactionId } from '../../../src/transactions/ids.js';
import { runUnitOfWork } from '../../../src/status/unit-of-work.js';

/** Inserts a SUBMITTED mint of `userId` and moves it to `to` (CONFIRMED by default) in one transaction. */
export async function endTransaction(
  db: Db,
  {
    clientId,
    userId = 'user-1',
    to = 'CONFIRMED',
    changes,
  }: {
    clientId: string;
    userId?: string;
    to?: TransactionStatus;
    changes?: TransitionParameters['changes'];
  },
): Promise<{ transactionId: string; deliveryId: string | undefined }> {
  const transactionId = await insertSubmittedTransaction(db, { clientId, userId });
  await runUnitOfWork({ db: db }, (unit) =>
    transitionTransaction(unit, {
      transactionId,
      to,
      reason: 'test',
      changes: changes ?? defaultChanges(to),
    }),
  );
  return { transactionId, deliveryId: (await deliveryOfTransaction(db, transactionId))?.id };
}

export async function insertSubmittedTransaction(db: Db, { clientId, userId = 'user-1' }: { clientId: string; userId?: string }): Promise<string> {
  const id = newTransactionId();
  await db
    .insertInto('transactions')
    .values({
      id,
      client_id: clientId,
      user_id: userId,
      wallet_address: '0x000000000000000000000000000000000000dEaD',
      type: 'mint',
      status: 'SUBMITTED',
      params: JSON.stringify({}),
      user_op_hash: `0x${id.slice(3).padStart(64, '0')}`,
    })
    .execute();
  return id;
}

function defaultChanges(to: TransactionStatus): TransitionParameters['changes'] {
  if (to === 'CONFIRMED') return { tx_hash: `0x${'ab'.repeat(32)}`, block_number: 1234 };
  if (to === 'FAILED') return { error_code: 'BUNDLER_REJECTED', error_message: 'rejected by the bundler' };
  return {};
}

export async function deliveryOfTransaction(db: Db, transactionId: string): Promise<WebhookDelivery | undefined> {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .selectAll('d')
    .where('e.transaction_id', '=', transactionId)
    .executeTakeFirst();
}

export async function findDelivery(db: Db, id: string): Promise<WebhookDelivery> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Polls until the delivery is DELIVERED or FAILED; returns it with its attempts. */
export async function waitForSettled(db: Db, id: string, timeoutMs = 45_000): Promise<{ delivery: WebhookDelivery; attempts: WebhookDeliveryAttempt[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delivery = await findDelivery(db, id);
    if (delivery.status === 'DELIVERED' || delivery.status === 'FAILED') return { delivery, attempts: await listDeliveryAttempts(db, id) };
    if (Date.now() > deadline) throw new Error(`delivery ${id} still ${delivery.status} after ${timeoutMs} ms (${delivery.attempt_count} attempts)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Jobs of deliver_webhook for this delivery that are still waiting or running. */
export async function pendingJobs(db: Db, deliveryId: string): Promise<number> {
  // graphile-worker's public `jobs` view leaves out the payload.
  const { rows } = await sql<{ n: number }>`select count(*)::int as n
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = 'deliver_webhook' and j.payload->>'deliveryId' = ${deliveryId} and j.attempts < j.max_attempts`.execute(db);
  return rows[0].n;
}
