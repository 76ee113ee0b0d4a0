// The webhook outbox: events, their deliveries and the jobs that send them are written inside the
// caller's database transaction, so they exist exactly when the change they report was committed.
import { randomUUID } from 'node:crypto';
import type { Transaction as DbTransaction } from 'kysely';
import type { Database, Transaction, WebhookDelivery, WebhookEvent } from '../db/schema.js';
import { insertWebhookDelivery, insertWebhookEvent, toClaimedDelivery, type ClaimedDelivery } from '../db/webhooks.js';
import { enqueueWebhookDelivery } from '../db/jobs.js';
import { insertEventWithDeliveryRow } from '../db/webhook-outbox.js';
import { newDeliveryId, newEventId, operationEventsOf, toOperationEvent, toTestEvent, toTransactionEvent, type ReorgDetails } from './events.js';
import type { OperationEvent } from '../operations/types.js';

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

/** The event, its delivery when the client has a webhook URL, and the delivery's job (src/db/webhook-outbox.ts). */
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
  const row = await insertEventWithDeliveryRow(trx, {
    clientId,
    transactionId,
    envelope,
    deliveryId,
    claim: leaseMs === undefined ? undefined : { claimToken, leaseMs },
  });
  if (!row || !sendAtCommit) return;
  const delivery: DeliveryToSend = { ...toClaimedDelivery(row), claimToken };
  sendAtCommit.afterCommit(() => sendAtCommit.sender.send(delivery));
}

/** POST /webhooks/test: a `webhook.test` event and its delivery. */
export async function queueTestEvent(trx: DbTransaction<Database>, { clientId }: { clientId: string }): Promise<WebhookDelivery> {
  const envelope = toTestEvent({ eventId: newEventId(), clientId });
  const event = await insertWebhookEvent(trx, { id: envelope.id, clientId, eventType: envelope.event, body: JSON.stringify(envelope) });
  return queueDelivery(trx, { event });
}
