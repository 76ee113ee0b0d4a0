// The outbox's one statement: a webhook event, its delivery when the client has a webhook URL, and the
// delivery's job, written together inside the caller's transaction (src/webhooks/outbox.ts decides
// when; this is only how).
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Database } from './schema.js';
import { addDeliveryJob } from './jobs.js';
import { webhookDisabledMessageSql, type DeliveryWithTarget } from './webhooks.js';

/**
 * One statement, since it runs inside the status change, whose commit (and so the webhook) waits for
 * every round trip. While the client's webhook is disabled (410 Gone) the delivery is recorded FAILED,
 * not sent, and gets no job: it stays redeliverable once the URL is set again. With `claim` the
 * delivery is recorded already claimed (DELIVERING, under a lease) by the process that will send it.
 * Returns the delivery to send, or undefined when there is none (no webhook URL, or disabled).
 */
export async function insertEventWithDeliveryRow(
  trx: DbTransaction<Database>,
  {
    clientId,
    transactionId,
    envelope,
    deliveryId,
    claim,
  }: {
    clientId: string;
    transactionId: string | null;
    envelope: { id: string; event: string };
    deliveryId: string;
    claim?: { claimToken: string; leaseMs: number };
  },
): Promise<DeliveryWithTarget | undefined> {
  // status, attempt_count, next_attempt_at, claim_token, claim_expires_at, last_attempt_at
  const state = claim
    ? sql`'DELIVERING', 1, null::timestamptz, ${claim.claimToken}::text, now() + ${claim.leaseMs} * interval '1 millisecond', clock_timestamp()`
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
      ${addDeliveryJob(sql`d.id`, claim?.leaseMs ?? 0)} is not null as queued
    from delivery d join event e on e.id = d.event_id join clients c on c.id = d.client_id`.execute(trx);
  if (!row) return undefined;
  const { queued: _queued, ...recorded } = row;
  return recorded;
}
