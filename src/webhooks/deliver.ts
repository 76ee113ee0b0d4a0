// One attempt of a claimed delivery: sign → POST → record the attempt and move the delivery on
//   → DELIVERED | PENDING (its job moved to the retry time) | FAILED, in one database transaction.
// A 410 Gone ends the delivery FAILED at once and, in that same transaction, disables the client's
// webhook (src/db/clients.ts): nothing more is sent to it until an operator sets its URL again.
// Made by the deliver_webhook job and, right after the commit that recorded the event, by the
// process that recorded it (send-on-commit.ts). The schedule is ours (retry-schedule.ts).
import type { AppContext } from '../context.js';
import type { Config } from '../config/schema.js';
import { recordAttempt, webhookDisabledMessage, type AttemptOutcome, type ClaimedDelivery, type DeliveryTarget } from '../db/webhooks.js';
import { disableClientWebhook } from '../db/clients.js';
import type { WebhookDelivery } from '../db/schema.js';
import type { Logger } from '../observability/logger.js';
import { webhookAttemptDuration, webhookDeliveries } from '../observability/metrics.js';
import { enqueueWebhookDelivery, removeWebhookDeliveryJob } from '../db/jobs.js';
import { postWebhook, type AttemptResult } from './send.js';
import { activeSigningSecrets, signWebhook } from './sign.js';
import { retryDelayMs } from './retry-schedule.js';

export type DeliveryContext = Pick<AppContext, 'db' | 'config' | 'logger'>;

/**
 * A lease outlives the attempt's own timeout by this much. Only a worker that died (or froze) holds
 * it longer; then the attempt is recorded as interrupted and the delivery is tried again.
 */
export const LEASE_GRACE_MS = 15_000;

export function leaseMs(config: Pick<Config, 'webhooks'>): number {
  return config.webhooks.timeoutMs + LEASE_GRACE_MS;
}

export async function deliverClaimed(
  ctx: DeliveryContext,
  {
    claimed,
    claimToken,
    signal,
    log,
    dropJobWhenDone = false,
  }: {
    claimed: ClaimedDelivery;
    claimToken: string;
    signal?: AbortSignal;
    log: Logger;
    /** The delivery's job is a fallback that no longer needs to run once the delivery is settled. */
    dropJobWhenDone?: boolean;
  },
): Promise<void> {
  const { delivery, target } = claimed;
  const deliveryId = delivery.id;
  if (target) log = log.child({ eventId: target.eventId, transactionId: target.transactionId ?? undefined });
  const startedAt = new Date();
  const result = await attempt(ctx, { target, signal });
  const outcome = decide(ctx, { delivery, result });
  const recorded = await ctx.db.transaction().execute(async (trx) => {
    const moved = await recordAttempt(trx, {
      deliveryId,
      claimToken,
      outcome,
      attempt: {
        attemptNumber: delivery.attempt_count,
        // Null when nothing was sent because the webhook is disabled.
        url: target?.client.webhook_disabled_reason ? null : (target?.client.webhook_url ?? null),
        startedAt,
        responseStatus: result.statusCode,
        responseTimeMs: result.responseTimeMs,
        errorMessage: result.outcome === 'delivered' ? null : result.error,
      },
    });
    if (moved && result.outcome === 'gone' && target?.client.webhook_url) {
      const url = target.client.webhook_url;
      await disableClientWebhook(trx, { clientId: delivery.client_id, url, reason: `${url} answered 410 Gone to delivery ${deliveryId}` });
    }
    if (moved && outcome.status === 'PENDING') await enqueueWebhookDelivery(trx, { deliveryId, delayMs: outcome.retryInMs });
    else if (moved && dropJobWhenDone) await removeWebhookDeliveryJob(trx, { deliveryId });
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
  else if (result.outcome === 'gone') log.warn({ ...details, error: result.error }, 'webhook endpoint answered 410 Gone; webhooks to this client are disabled');
  else log.warn({ ...details, error: result.error }, outcome.status === 'FAILED' ? 'webhook delivery failed for good' : 'webhook attempt failed; will retry');
}

/** Signs with the client's current secret(s) and POSTs to its current URL. */
async function attempt(ctx: DeliveryContext, { target, signal }: { target: DeliveryTarget | undefined; signal?: AbortSignal }): Promise<AttemptResult> {
  const refused = (error: string): AttemptResult => ({ outcome: 'refused', statusCode: null, responseTimeMs: 0, error });
  if (!target) return refused('the event of this delivery no longer exists');
  if (target.client.revoked_at) return refused('the client is revoked');
  if (!target.client.webhook_url) return refused('the client has no webhook URL configured');
  // Read when the delivery was claimed: a retry due after a 410 (to this or another delivery) is not sent.
  if (target.client.webhook_disabled_reason) return refused(webhookDisabledMessage(target.client.webhook_disabled_reason));
  const headers = signWebhook({ secrets: activeSigningSecrets(target.client), messageId: target.eventId, body: target.body });
  return postWebhook({
    url: target.client.webhook_url,
    body: target.body,
    headers,
    signal,
    timeoutMs: ctx.config.webhooks.timeoutMs,
    allowPrivateTargets: ctx.config.webhooks.allowPrivateTargets,
  });
}

function decide(ctx: DeliveryContext, { delivery, result }: { delivery: WebhookDelivery; result: AttemptResult }): AttemptOutcome {
  if (result.outcome === 'delivered') return { status: 'DELIVERED' };
  if (result.outcome !== 'failed' || delivery.attempt_count >= ctx.config.webhooks.maxAttempts) return { status: 'FAILED' };
  return {
    status: 'PENDING',
    retryInMs: retryDelayMs({ schedule: ctx.config.webhooks.retryScheduleMs, failedAttempts: delivery.attempt_count, retryAfterMs: result.retryAfterMs }),
  };
}
