// Sending a webhook from the process that recorded it, as soon as the recording transaction commits,
// rather than through the job queue: graphile-worker's pick-up of the job and then a claim cost tens
// of milliseconds between CONFIRMED and the attempt, against a 20 ms budget for the whole delivery.
// The outbox guarantee is unchanged: the event, its delivery and its job still commit with the status
// change, the delivery already claimed by this process (DELIVERING, under a lease) so no job can send
// it meanwhile. The job waits that lease out instead of racing this process and is dropped once the
// delivery is settled; should this process die before or during the attempt, the job makes it then,
// as after any worker died mid-attempt. Retries go through the job as always.
//
// Which processes send at commit is decided where they are composed (src/runtime/services.ts): the
// sender made here is handed to the units of work whose status changes it should send.
import type { CommitSender, DeliveryToSend } from './outbox.js';
import { deliverClaimed, leaseMs, type DeliveryContext } from './deliver.js';

/** The sender of a process that delivers webhooks: it makes the first attempt of what it records itself. */
export function createCommitSender(ctx: DeliveryContext): CommitSender {
  return {
    leaseMs: leaseMs(ctx.config),
    send: (delivery) => void sendNow(ctx, delivery),
  };
}

async function sendNow(ctx: DeliveryContext, { claimToken, ...claimed }: DeliveryToSend): Promise<void> {
  const log = ctx.logger.child({ deliveryId: claimed.delivery.id });
  try {
    await deliverClaimed(ctx, { claimed, claimToken, log, dropJobWhenDone: true });
  } catch (error) {
    // The lease runs out and the delivery's job makes the attempt again (recording this one as interrupted).
    log.warn({ err: error }, 'recording a webhook attempt made at commit failed; its job will try again after the lease');
  }
}
