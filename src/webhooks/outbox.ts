// The webhook outbox: events, their deliveries and the jobs that send them are written inside the
// caller's database transaction, so they exist exactly when the change they report was committed.
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Database, Transaction, WebhookDelivery, WebhookEvent } from '../db/schema.js';
import {
  insertWebhookDelivery,
  insertWebhookEvent,
  toClaimedDelivery,
  webhookDisabledMessageSql,
  type ClaimedDelivery,
  type DeliveryWithTarget,
} from '../db/webhooks.js';
import { newDeliveryId, newEventId, operationEventsOf, toOperationEvent, toTestEvent, toTransactionEvent, type ReorgDetails } from './events.js';
import type { OperationEvent } from '../operations/types.js';

export const DELIVER_WEBHOOK = 'deliver_webhook';

/**
 * Adds (or moves) the one waiting job of a delivery. The job key keeps it at one: adding it again
 * replaces the waiting job's run time; if that job is running, graphile-worker leaves it alone and
 * adds a fresh one. Retries are scheduled by the task itself, so graphile's own attempts only cover
 * the task failing outright (database unavailable).
 */
export async function enqueueWebhookDelivery(db: Kysely<Database>, { deliveryId, delayMs = 0 }: { deliveryId: string; delayMs?: number }): Promise<void> {
  await sql`select ${addJob(sql`${deliveryId}::text`, delayMs)}`.execute(db);
}

function addJob(deliveryId: RawBuilder<string>, delayMs: number): RawBuilder<unknown> {
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

/** A new delivery of `event` to its client's webhook URL, queued to be sent now (unless the client's webhook is disabled). */
export async function queueDelivery(
  trx: DbTransaction<Database>,
  {
    event,
    redeliveryOf,
  }: {
    event: Pick<WebhookEvent, 'id' | 'client_id' | 'event_type'>;
    redeliveryOf?: string;
  },
): Promise<WebhookDelivery> {
  const delivery = await insertWebhookDelivery(trx, { id: newDeliveryId(), event, redeliveryOf });
  // FAILED at once: the client's webhook is disabled, and the delivery is kept only to be redelivered.
  if (delivery.status === 'PENDING') await enqueueWebhookDelivery(trx, { deliveryId: delivery.id });
  return delivery;
}

/** A delivery claimed when it was recorded, to be sent by the recording process once it commits. */
export type DeliveryToSend = ClaimedDelivery & { claimToken: string };

/**
 * How a process that delivers webhooks sends the ones it records itself, as soon as they commit
 * (send-on-commit.ts). Such a delivery is recorded already claimed (DELIVERING, under a lease), so no
 * job can take it meanwhile; its job waits the lease out and only acts should that process die.
 */
export type CommitSender = {
  /** How long a delivery recorded for sending at commit stays claimed by the recording process. */
  leaseMs: number;
  /** Makes the attempt, in the background: never throws. */
  send(delivery: DeliveryToSend): void;
};

/** Sending at commit: the process's sender, and the hook that runs once the recording transaction has committed. */
export type SendAtCommit = { sender: CommitSender; afterCommit(fn: () => void): void };

/**
 * Called by the status writer when a transaction reaches a terminal status, in its transaction: the
 * event is always kept; it is delivered when the client has a webhook URL — by this process right after
 * the commit when `sendAtCommit` is given, else by its job.
 */
export async function recordTerminalTransactionEvent(
  trx: DbTransaction<Database>,
  { transaction, sendAtCommit }: { transaction: Transaction; sendAtCommit?: SendAtCommit },
): Promise<void> {
  await recordTransactionEvent(trx, { transaction, sendAtCommit });
  // Its type's own events (payment.escrow.funded …), in the same unit of work as the status.
  for (const envelope of operationEventsOf(transaction, newEventId)) {
    await insertEventWithDelivery(trx, { clientId: transaction.client_id, transactionId: transaction.id, envelope, sendAtCommit });
  }
}

/** An event of an operation's domain (payment.intent.created), recorded in the caller's transaction and delivered by its job. */
export async function recordEvent(
  trx: DbTransaction<Database>,
  { clientId, transactionId, event, data }: { clientId: string; transactionId?: string } & OperationEvent,
): Promise<void> {
  const envelope = toOperationEvent({ eventId: newEventId(), event, data });
  await insertEventWithDelivery(trx, { clientId, transactionId: transactionId ?? null, envelope });
}

/** A `transaction.stalled` event, written with the stall flag. */
export async function recordStalledTransactionEvent(
  trx: DbTransaction<Database>,
  { transaction, reason }: { transaction: Transaction; reason: string },
): Promise<void> {
  await recordTransactionEvent(trx, { transaction, stalledReason: reason });
}

/** A `transaction.reorged` event, written with the forgotten inclusion. */
export async function recordReorgedTransactionEvent(
  trx: DbTransaction<Database>,
  { transaction, reorg }: { transaction: Transaction; reorg: ReorgDetails },
): Promise<void> {
  await recordTransactionEvent(trx, { transaction, reorg });
}

/**
 * The event, its delivery when the client has a webhook URL, and the delivery's job, in one statement:
 * this runs inside the status change, whose commit (and so the webhook) waits for every round trip.
 * While the client's webhook is disabled (410 Gone), the delivery is recorded FAILED, not sent, and
 * gets no job: it stays redeliverable once the URL is set again.
 */
async function recordTransactionEvent(
  trx: DbTransaction<Database>,
  { transaction, stalledReason, reorg, sendAtCommit }: { transaction: Transaction; stalledReason?: string; reorg?: ReorgDetails; sendAtCommit?: SendAtCommit },
): Promise<void> {
  const envelope = toTransactionEvent(transaction, { eventId: newEventId(), stalledReason, reorg });
  await insertEventWithDelivery(trx, { clientId: transaction.client_id, transactionId: transaction.id, envelope, sendAtCommit });
}

async function insertEventWithDelivery(
  trx: DbTransaction<Database>,
  {
    clientId,
    transactionId,
    envelope,
    sendAtCommit,
  }: { clientId: string; transactionId: string | null; envelope: { id: string; event: string }; sendAtCommit?: SendAtCommit },
): Promise<void> {
  const leaseMs = sendAtCommit?.sender.leaseMs;
  const deliveryId = newDeliveryId();
  const claimToken = randomUUID();
  // status, attempt_count, next_attempt_at, claim_token, claim_expires_at, last_attempt_at
  const state =
    leaseMs !== undefined
      ? sql`'DELIVERING', 1, null::timestamptz, ${claimToken}::text, now() + ${leaseMs} * interval '1 millisecond', clock_timestamp()`
      : sql`'PENDING', 0, now(), null::text, null::timestamptz, null::timestamptz`;
  const {
    rows: [row],
  } = await sql<DeliveryWithTarget & { queued: boolean }>`
    with event as (
      insert into webhook_events (id, client_id, event_type, transaction_id, body)
      values (${envelope.id}, ${clientId}, ${envelope.event}, ${transactionId}, ${JSON.stringify(envelope)})
      returning id, client_id, event_type, transaction_id, body
    ), delivery as (
      insert into webhook_deliveries (id, event_id, client_id, event_type, status, attempt_count, next_attempt_at, claim_token, claim_expires_at, last_attempt_at)
      select ${deliveryId}, e.id, e.client_id, e.event_type, ${state}
      from event e join clients c on c.id = e.client_id
      where c.webhook_url is not null and c.webhook_disabled_at is null
      returning *
    ), not_sent as (
      insert into webhook_deliveries (id, event_id, client_id, event_type, status, error_message)
      select ${deliveryId}, e.id, e.client_id, e.event_type, 'FAILED', ${webhookDisabledMessageSql(sql`c.webhook_disabled_reason`)}
      from event e join clients c on c.id = e.client_id
      where c.webhook_url is not null and c.webhook_disabled_at is not null
    )
    select d.*, e.body, e.transaction_id,
      c.webhook_url, c.webhook_secret, c.previous_webhook_secret, c.previous_webhook_secret_expires_at, c.revoked_at,
      c.webhook_disabled_at, c.webhook_disabled_reason,
      ${addJob(sql`d.id`, leaseMs ?? 0)} is not null as queued
    from delivery d join event e on e.id = d.event_id join clients c on c.id = d.client_id`.execute(trx);
  if (!row || !sendAtCommit) return;
  const { queued: _queued, ...recorded } = row;
  const delivery: DeliveryToSend = { ...toClaimedDelivery(recorded), claimToken };
  sendAtCommit.afterCommit(() => sendAtCommit.sender.send(delivery));
}

/** POST /webhooks/test: a `webhook.test` event and its delivery. */
export async function queueTestEvent(trx: DbTransaction<Database>, { clientId }: { clientId: string }): Promise<WebhookDelivery> {
  const envelope = toTestEvent({ eventId: newEventId(), clientId });
  const event = await insertWebhookEvent(trx, { id: envelope.id, clientId, eventType: envelope.event, body: JSON.stringify(envelope) });
  return queueDelivery(trx, { event });
}
