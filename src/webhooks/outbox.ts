// The webhook outbox: events, their deliveries and the jobs that send them are written inside the
// caller's database transaction, so they exist exactly when the change they report was committed.
import { sql, type Kysely, type Transaction as DbTransaction } from 'kysely';
import type { Database, Transaction, WebhookDelivery, WebhookEvent } from '../db/schema.js';
import { insertWebhookDelivery, insertWebhookEvent } from '../db/webhooks.js';
import { newDeliveryId, newEventId, toTestEvent, toTransactionEvent } from './events.js';

export const DELIVER_WEBHOOK = 'deliver_webhook';

/**
 * Adds (or moves) the one waiting job of a delivery. The job key keeps it at one: adding it again
 * replaces the waiting job's run time; if that job is running, graphile-worker leaves it alone and
 * adds a fresh one. Retries are scheduled by the task itself, so graphile's own attempts only cover
 * the task failing outright (database unavailable).
 */
export async function enqueueWebhookDelivery(db: Kysely<Database>, { deliveryId, delayMs = 0 }: { deliveryId: string; delayMs?: number }): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${DELIVER_WEBHOOK}::text,
    json_build_object('deliveryId', ${deliveryId}::text),
    run_at => now() + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond',
    max_attempts => 25,
    job_key => ${`${DELIVER_WEBHOOK}:${deliveryId}`}::text
  )`.execute(db);
}

/** A new delivery of `event` to its client's webhook URL, queued to be sent now. */
export async function queueDelivery(trx: DbTransaction<Database>, { event, redeliveryOf }: {
  event: Pick<WebhookEvent, 'id' | 'client_id' | 'event_type'>; redeliveryOf?: string;
}): Promise<WebhookDelivery> {
  const delivery = await insertWebhookDelivery(trx, { id: newDeliveryId(), event, redeliveryOf });
  await enqueueWebhookDelivery(trx, { deliveryId: delivery.id });
  return delivery;
}

/**
 * Called by the status writer when a transaction reaches a terminal status, in its transaction: the
 * event is always kept; it is delivered when the client has a webhook URL.
 */
export async function recordTerminalTransactionEvent(trx: DbTransaction<Database>, { transaction }: { transaction: Transaction }): Promise<void> {
  await recordTransactionEvent(trx, { transaction });
}

/** A `transaction.stalled` event, written with the stall flag. */
export async function recordStalledTransactionEvent(trx: DbTransaction<Database>, { transaction, reason }: { transaction: Transaction; reason: string }): Promise<void> {
  await recordTransactionEvent(trx, { transaction, stalledReason: reason });
}

async function recordTransactionEvent(trx: DbTransaction<Database>, { transaction, stalledReason }: { transaction: Transaction; stalledReason?: string }): Promise<void> {
  const envelope = toTransactionEvent(transaction, { eventId: newEventId(), stalledReason });
  const event = await insertWebhookEvent(trx, {
    id: envelope.id, clientId: transaction.client_id, eventType: envelope.event, transactionId: transaction.id, body: JSON.stringify(envelope),
  });
  const client = await trx.selectFrom('clients').select('webhook_url').where('id', '=', transaction.client_id).executeTakeFirstOrThrow();
  if (client.webhook_url) await queueDelivery(trx, { event });
}

/** POST /webhooks/test: a `webhook.test` event and its delivery. */
export async function queueTestEvent(trx: DbTransaction<Database>, { clientId }: { clientId: string }): Promise<WebhookDelivery> {
  const envelope = toTestEvent({ eventId: newEventId(), clientId });
  const event = await insertWebhookEvent(trx, { id: envelope.id, clientId, eventType: envelope.event, body: JSON.stringify(envelope) });
  return queueDelivery(trx, { event });
}
