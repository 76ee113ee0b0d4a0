// deliver_webhook: makes one attempt of one delivery and schedules the next.
//   claim (PENDING → DELIVERING, a lease, with what the attempt sends) → src/webhooks/deliver.ts
// Most deliveries of transaction events are sent by the worker that ended the transaction right after
// its commit (src/webhooks/send-on-commit.ts); their job is the fallback should it die first,
// and it carries every retry. The task only throws when it cannot reach the database, and then
// graphile's own retries bring it back.
import { randomUUID } from 'node:crypto';
import type { Task } from 'graphile-worker';
import type { AppContext } from '../context.js';
import { claimDelivery } from '../db/webhooks.js';
import { enqueueWebhookDelivery } from '../db/jobs.js';
import { deliverClaimed, leaseMs } from '../webhooks/deliver.js';

export { DELIVER_WEBHOOK } from '../db/jobs.js';
export { LEASE_GRACE_MS } from '../webhooks/deliver.js';

export type DeliverWebhookPayload = { deliveryId: string };

export function assertDeliverWebhookPayload(payload: unknown): asserts payload is DeliverWebhookPayload {
  if (typeof (payload as DeliverWebhookPayload | null)?.deliveryId !== 'string') {
    throw new Error(`deliver_webhook payload must be { deliveryId: string }, got ${JSON.stringify(payload)}`);
  }
}

export function deliverWebhook(ctx: AppContext): Task {
  return async (payload, helpers) => {
    assertDeliverWebhookPayload(payload);
    const { deliveryId } = payload;
    const log = ctx.logger.child({ deliveryId, jobId: helpers.job.id });
    const claimToken = randomUUID();

    const claim = await claimDelivery(ctx.db, { deliveryId, claimToken, leaseMs: leaseMs(ctx.config), maxAttempts: ctx.config.webhooks.maxAttempts });
    if (claim.kind === 'done') return;
    if (claim.kind === 'wait') {
      // Another worker is sending it (or this job ran before the retry time). Look again then: if
      // that worker died, this is what picks the delivery up; if not, this finds nothing to do.
      await enqueueWebhookDelivery(ctx.db, { deliveryId, delayMs: claim.retryInMs + 100 });
      return;
    }
    await deliverClaimed(ctx, { claimed: claim, claimToken, signal: helpers.abortSignal, log });
  };
}
