// Webhook events, deliveries and attempts. A delivery moves PENDING → DELIVERING → DELIVERED | FAILED
// (or back to PENDING to be retried); DELIVERING is a lease held by one worker, taken by one guarded
// update, so any number of workers (and the process that recorded the event, sending it as soon as
// it commits) never send the same attempt twice nor a delivered delivery again.
import { sql, type Kysely, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Client, Database, WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus, WebhookEvent } from './schema.js';

export async function insertWebhookEvent(
  trx: Kysely<Database>,
  event: { id: string; clientId: string; eventType: string; transactionId?: string; body: string },
): Promise<WebhookEvent> {
  return trx
    .insertInto('webhook_events')
    .values({ id: event.id, client_id: event.clientId, event_type: event.eventType, transaction_id: event.transactionId ?? null, body: event.body })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * A new delivery, PENDING and due now; or, when the client's webhook is disabled (its receiver
 * answered 410 Gone), recorded FAILED without an attempt, saying why it was not sent, so that it can
 * be redelivered once the URL is set again. The client's flag is read in the same statement.
 */
export async function insertWebhookDelivery(
  trx: Kysely<Database>,
  delivery: { id: string; event: Pick<WebhookEvent, 'id' | 'client_id' | 'event_type'>; redeliveryOf?: string },
): Promise<WebhookDelivery> {
  const { rows } = await sql<WebhookDelivery>`
    insert into webhook_deliveries (id, event_id, client_id, event_type, redelivery_of, status, next_attempt_at, error_message)
    select ${delivery.id}, ${delivery.event.id}, c.id, ${delivery.event.event_type}, ${delivery.redeliveryOf ?? null},
      case when c.webhook_disabled_at is null then 'PENDING' else 'FAILED' end,
      case when c.webhook_disabled_at is null then now() end,
      case when c.webhook_disabled_at is not null then ${webhookDisabledMessageSql(sql`c.webhook_disabled_reason`)} end
    from clients c where c.id = ${delivery.event.client_id}
    returning *`.execute(trx);
  if (!rows[0]) throw new Error(`no client ${delivery.event.client_id} for a delivery of event ${delivery.event.id}`);
  return rows[0];
}

const DISABLED_PREFIX = 'not sent: webhooks to this client are disabled (';
const DISABLED_SUFFIX = '); once its webhook URL is set again (chronos clients set-webhook), redeliver it';

/** Why a delivery was not sent: the client's webhook was disabled, and how to get it sent. */
export function webhookDisabledMessage(reason: string): string {
  return `${DISABLED_PREFIX}${reason}${DISABLED_SUFFIX}`;
}

/** webhookDisabledMessage, computed by the statement that records the delivery. */
export function webhookDisabledMessageSql(reason: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`${DISABLED_PREFIX}::text || ${reason} || ${DISABLED_SUFFIX}::text`;
}

/** A delivery of this client's; another client's is indistinguishable from a missing one. */
export async function findClientDelivery(db: Db, { clientId, deliveryId }: { clientId: string; deliveryId: string }): Promise<WebhookDelivery | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).where('client_id', '=', clientId).executeTakeFirst();
}

export async function findWebhookEvent(db: Db, id: string): Promise<WebhookEvent | undefined> {
  return db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
}

export type DeliveryTarget = {
  eventId: string;
  body: string;
  /** The transaction the event is about (null for webhook.test). */
  transactionId: string | null;
  client: Pick<
    Client,
    | 'webhook_url'
    | 'webhook_secret'
    | 'previous_webhook_secret'
    | 'previous_webhook_secret_expires_at'
    | 'revoked_at'
    | 'webhook_disabled_at'
    | 'webhook_disabled_reason'
  >;
};

export type DeliveryPosition = { createdAt: Date; id: string };

/** Newest first, strictly after `after` in that order (keyset: stable while rows are inserted). */
export async function listClientDeliveries(
  db: Db,
  params: {
    clientId: string;
    status?: WebhookDeliveryStatus;
    eventType?: string;
    after?: DeliveryPosition;
    limit: number;
  },
): Promise<WebhookDelivery[]> {
  let query = db.selectFrom('webhook_deliveries').selectAll().where('client_id', '=', params.clientId);
  if (params.status) query = query.where('status', '=', params.status);
  if (params.eventType) query = query.where('event_type', '=', params.eventType);
  if (params.after) {
    const { createdAt, id } = params.after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(createdAt, id)));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(params.limit).execute();
}

export async function listDeliveryAttempts(db: Db, deliveryId: string): Promise<WebhookDeliveryAttempt[]> {
  return db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt_number').execute();
}

/** A delivery whose lease this worker holds, with what its attempt sends (undefined: the event is gone). */
export type ClaimedDelivery = { delivery: WebhookDelivery; target: DeliveryTarget | undefined };

export type ClaimResult =
  /** This worker may send attempt `delivery.attempt_count` now. */
  | ({ kind: 'claimed' } & ClaimedDelivery)
  /** Not now: another worker holds the lease, or the retry time has not come. Look again in `retryInMs`. */
  | { kind: 'wait'; retryInMs: number }
  /** Nothing to send: delivered, failed, or unknown. */
  | { kind: 'done' };

export type ClaimParameters = { deliveryId: string; claimToken: string; leaseMs: number; maxAttempts: number };

/** What is written for an attempt whose worker died before it could record the outcome. */
export const INTERRUPTED_ATTEMPT_ERROR = 'the worker making this attempt stopped before recording its outcome';

/**
 * The common case in one statement: takes the lease on a PENDING delivery whose retry time has come
 * and which has attempts left, counting the attempt about to be made, and returns it with the event's
 * body and the client's current URL and secrets. Two callers racing for it cannot both get it: the
 * second one's update waits for the first's row lock, then no longer matches `status = 'PENDING'`.
 * Undefined when the delivery is not in that state (claimDelivery sorts out why).
 */
export async function claimDueDelivery(db: Db, params: ClaimParameters): Promise<ClaimedDelivery | undefined> {
  return takeLease(db, params, { onlyIfDue: true });
}

/**
 * Takes the lease on a PENDING delivery whose retry time has come (or on a DELIVERING one whose lease
 * ran out: its worker died; that attempt is recorded as interrupted) and counts the attempt about to
 * be made. A job that runs early (a duplicate) therefore neither sends twice nor cuts a backoff short.
 */
export async function claimDelivery(db: Db, params: ClaimParameters): Promise<ClaimResult> {
  const due = await claimDueDelivery(db, params);
  if (due) return { kind: 'claimed', ...due };
  const { deliveryId, maxAttempts } = params;
  // Rarer cases (a lease to check or take over, a retry time not reached, attempts used up), decided
  // with the row locked.
  return db.transaction().execute(async (trx): Promise<ClaimResult> => {
    const row = await trx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .select(sql<number>`coalesce(greatest(0, ceil(extract(epoch from claim_expires_at - now()) * 1000)), 0)::int`.as('lease_left_ms'))
      .select(sql<number>`coalesce(greatest(0, ceil(extract(epoch from next_attempt_at - now()) * 1000)), 0)::int`.as('retry_in_ms'))
      .where('id', '=', deliveryId)
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.status === 'DELIVERED' || row.status === 'FAILED') return { kind: 'done' };
    if (row.status === 'DELIVERING') {
      if (row.lease_left_ms > 0) return { kind: 'wait', retryInMs: row.lease_left_ms };
      await trx
        .insertInto('webhook_delivery_attempts')
        .values({
          delivery_id: deliveryId,
          attempt_number: row.attempt_count,
          url: null,
          response_status: null,
          response_time_ms: null,
          error_message: INTERRUPTED_ATTEMPT_ERROR,
          started_at: row.last_attempt_at ?? sql<Date>`now()`,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt_number']).doNothing())
        .execute();
    }
    if (row.status === 'PENDING' && row.retry_in_ms > 0) return { kind: 'wait', retryInMs: row.retry_in_ms };
    if (row.attempt_count >= maxAttempts) {
      // Its last attempt was the interrupted one (or WEBHOOK_MAX_ATTEMPTS was lowered meanwhile).
      const errorMessage = row.status === 'DELIVERING' ? INTERRUPTED_ATTEMPT_ERROR : (row.error_message ?? 'no attempts left');
      await trx
        .updateTable('webhook_deliveries')
        .set({ status: 'FAILED', claim_token: null, claim_expires_at: null, next_attempt_at: null, error_message: errorMessage })
        .where('id', '=', deliveryId)
        .execute();
      return { kind: 'done' };
    }
    const claimed = await takeLease(trx, params, { onlyIfDue: false });
    if (!claimed) throw new Error(`delivery ${deliveryId} vanished while locked`);
    return { kind: 'claimed', ...claimed };
  });
}

/** The lease update and, in the same statement, the event and client the attempt needs. */
async function takeLease(
  db: Kysely<Database>,
  { deliveryId, claimToken, leaseMs, maxAttempts }: ClaimParameters,
  { onlyIfDue }: { onlyIfDue: boolean },
): Promise<ClaimedDelivery | undefined> {
  const row = await db
    .with('claimed', (qb) => {
      let update = qb
        .updateTable('webhook_deliveries')
        .set({
          status: 'DELIVERING',
          attempt_count: sql<number>`attempt_count + 1`,
          claim_token: claimToken,
          claim_expires_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`,
          last_attempt_at: sql<Date>`clock_timestamp()`,
          next_attempt_at: null,
        })
        .where('id', '=', deliveryId);
      if (onlyIfDue) {
        update = update
          .where('status', '=', 'PENDING')
          .where('attempt_count', '<', maxAttempts)
          .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', sql<Date>`now()`)]));
      }
      return update.returningAll();
    })
    .selectFrom('claimed as d')
    .leftJoin('webhook_events as e', 'e.id', 'd.event_id')
    .leftJoin('clients as c', 'c.id', 'd.client_id')
    .selectAll('d')
    .select([
      'e.body',
      'e.transaction_id',
      'c.webhook_url',
      'c.webhook_secret',
      'c.previous_webhook_secret',
      'c.previous_webhook_secret_expires_at',
      'c.revoked_at',
      'c.webhook_disabled_at',
      'c.webhook_disabled_reason',
    ])
    .executeTakeFirst();
  return row && toClaimedDelivery(row);
}

/** A delivery row with its event's and client's columns beside it, as one query returns them. */
export type DeliveryWithTarget = WebhookDelivery & { body: string | null; transaction_id: string | null } & {
  [K in keyof DeliveryTarget['client']]: DeliveryTarget['client'][K] | null;
};

export function toClaimedDelivery(row: DeliveryWithTarget): ClaimedDelivery {
  const {
    body,
    transaction_id: transactionId,
    webhook_url,
    webhook_secret,
    previous_webhook_secret,
    previous_webhook_secret_expires_at,
    revoked_at,
    webhook_disabled_at,
    webhook_disabled_reason,
    ...delivery
  } = row;
  const target =
    body === null || webhook_secret === null
      ? undefined
      : {
          eventId: delivery.event_id,
          body,
          transactionId,
          client: {
            webhook_url,
            webhook_secret,
            previous_webhook_secret,
            previous_webhook_secret_expires_at,
            revoked_at,
            webhook_disabled_at,
            webhook_disabled_reason,
          },
        };
  return { delivery, target };
}

export type AttemptRecord = {
  attemptNumber: number;
  url: string | null;
  startedAt: Date;
  responseStatus: number | null;
  responseTimeMs: number | null;
  errorMessage: string | null;
};

export type AttemptOutcome = { status: 'DELIVERED' } | { status: 'FAILED' } | { status: 'PENDING'; retryInMs: number };

/**
 * Records the attempt and moves the delivery on, if this worker still holds the lease. False when it
 * lost the lease (it ran out and another worker took over): the caller must not act on its result.
 */
export async function recordAttempt(
  trx: DbTransaction<Database>,
  {
    deliveryId,
    claimToken,
    attempt,
    outcome,
  }: {
    deliveryId: string;
    claimToken: string;
    attempt: AttemptRecord;
    outcome: AttemptOutcome;
  },
): Promise<boolean> {
  const moved = await trx
    .updateTable('webhook_deliveries')
    .set({
      status: outcome.status,
      claim_token: null,
      claim_expires_at: null,
      next_attempt_at: outcome.status === 'PENDING' ? sql<Date>`now() + ${outcome.retryInMs} * interval '1 millisecond'` : null,
      last_response_status: attempt.responseStatus,
      last_response_time_ms: attempt.responseTimeMs,
      error_message: attempt.errorMessage,
      delivered_at: outcome.status === 'DELIVERED' ? sql<Date>`clock_timestamp()` : null,
    })
    .where('id', '=', deliveryId)
    .where('status', '=', 'DELIVERING')
    .where('claim_token', '=', claimToken)
    .returning('id')
    .executeTakeFirst();
  if (!moved) return false;
  await trx
    .insertInto('webhook_delivery_attempts')
    .values({
      delivery_id: deliveryId,
      attempt_number: attempt.attemptNumber,
      url: attempt.url,
      started_at: attempt.startedAt,
      response_status: attempt.responseStatus,
      response_time_ms: attempt.responseTimeMs,
      error_message: attempt.errorMessage,
    })
    .execute();
  return true;
}
