// deliver_webhook: makes one attempt of one delivery and schedules the next.
//   claim (PENDING → DELIVERING, a lease, row locked) → sign → POST → record the attempt and
//   → DELIVERED | PENDING (a new job at the retry time) | FAILED, in one database transaction.
// The schedule is ours (src/webhooks/retry-schedule.ts), not graphile-worker's: the task only throws
// when it cannot reach the database, and then graphile's own retries bring it back.
import { randomUUID } from 'node:crypto';
import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { claimDelivery, findDeliveryTarget, recordAttempt, type AttemptOutcome, type DeliveryTarget } from '../db/webhooks.js';
import type { WebhookDelivery } from '../db/schema.js';
import { enqueueWebhookDelivery } from '../webhooks/outbox.js';
import { postWebhook, type AttemptResult } from '../webhooks/send.js';
import { activeSigningSecrets, signWebhook } from '../webhooks/sign.js';
import { retryDelayMs } from '../webhooks/retry-schedule.js';
import { webhookAttemptDuration, webhookDeliveries } from '../observability/metrics.js';

export { DELIVER_WEBHOOK } from '../webhooks/outbox.js';

export type DeliverWebhookPayload = { deliveryId: string };

export function assertDeliverWebhookPayload(payload: unknown): asserts payload is DeliverWebhookPayload {
  if (typeof (payload as DeliverWebhookPayload | null)?.deliveryId !== 'string') {
    throw new Error(`deliver_webhook payload must be { deliveryId: string }, got ${JSON.stringify(payload)}`);
  }
}

/**
 * A lease outlives the attempt's own timeout by this much. Only a worker that died (or froze) holds
 * it longer; then the attempt is recorded as interrupted and the delivery is tried again.
 */
export const LEASE_GRACE_MS = 15_000;

export function deliverWebhook(ctx: AppContext): Task {
  return async (payload, helpers) => {
    assertDeliverWebhookPayload(payload);
    const { deliveryId } = payload;
    let log = ctx.logger.child({ deliveryId, jobId: helpers.job.id });
    const { maxAttempts, timeoutMs } = ctx.config.webhooks;
    const claimToken = randomUUID();

    const claim = await claimDelivery(ctx.db, { deliveryId, claimToken, leaseMs: timeoutMs + LEASE_GRACE_MS, maxAttempts });
    if (claim.kind === 'done') return;
    if (claim.kind === 'wait') {
      // Another worker is sending it (or this job ran before the retry time). Look again then: if
      // that worker died, this is what picks the delivery up; if not, this finds nothing to do.
      await enqueueWebhookDelivery(ctx.db, { deliveryId, delayMs: claim.retryInMs + 100 });
      return;
    }

    const { delivery } = claim;
    const target = await findDeliveryTarget(ctx.db, deliveryId);
    if (target) log = log.child({ eventId: target.eventId, transactionId: target.transactionId ?? undefined });
    const startedAt = new Date();
    const result = await attempt(ctx, { target, signal: helpers.abortSignal });
    const outcome = decide(ctx, { delivery, result });
    const recorded = await ctx.db.transaction().execute(async (trx) => {
      const moved = await recordAttempt(trx, {
        deliveryId, claimToken, outcome,
        attempt: {
          attemptNumber: delivery.attempt_count, url: target?.client.webhook_url ?? null, startedAt,
          responseStatus: result.statusCode, responseTimeMs: result.responseTimeMs, errorMessage: result.outcome === 'delivered' ? null : result.error,
        },
      });
      if (moved && outcome.status === 'PENDING') await enqueueWebhookDelivery(trx, { deliveryId, delayMs: outcome.retryInMs });
      return moved;
    });

    if (recorded) {
      const counted = result.outcome === 'delivered' ? 'delivered' : outcome.status === 'FAILED' ? 'failed' : 'retry';
      webhookDeliveries.inc({ outcome: counted });
      webhookAttemptDuration.observe({ outcome: counted }, result.responseTimeMs / 1000);
    }
    const details = { attempt: delivery.attempt_count, statusCode: result.statusCode, responseTimeMs: result.responseTimeMs, next: outcome };
    if (!recorded) log.warn(details, 'webhook attempt outlived its lease; another worker took the delivery over');
    else if (result.outcome === 'delivered') log.info(details, 'webhook delivered');
    else log.warn({ ...details, error: result.error }, outcome.status === 'FAILED' ? 'webhook delivery failed for good' : 'webhook attempt failed; will retry');
  };
}

/** Signs with the client's current secret(s) and POSTs to its current URL. */
async function attempt(ctx: AppContext, { target, signal }: { target: DeliveryTarget | undefined; signal?: AbortSignal }): Promise<AttemptResult> {
  const refused = (error: string): AttemptResult => ({ outcome: 'refused', statusCode: null, responseTimeMs: 0, error });
  if (!target) return refused('the event of this delivery no longer exists');
  if (target.client.revoked_at) return refused('the client is revoked');
  if (!target.client.webhook_url) return refused('the client has no webhook URL configured');
  const headers = signWebhook({ secrets: activeSigningSecrets(target.client), messageId: target.eventId, body: target.body });
  return postWebhook({
    url: target.client.webhook_url, body: target.body, headers, signal,
    timeoutMs: ctx.config.webhooks.timeoutMs, allowPrivateTargets: ctx.config.webhooks.allowPrivateTargets,
  });
}

function decide(ctx: AppContext, { delivery, result }: { delivery: WebhookDelivery; result: AttemptResult }): AttemptOutcome {
  if (result.outcome === 'delivered') return { status: 'DELIVERED' };
  if (result.outcome === 'refused' || delivery.attempt_count >= ctx.config.webhooks.maxAttempts) return { status: 'FAILED' };
  return {
    status: 'PENDING',
    retryInMs: retryDelayMs({ baseMs: ctx.config.webhooks.retryBaseMs, failedAttempts: delivery.attempt_count, retryAfterMs: result.retryAfterMs }),
  };
}
