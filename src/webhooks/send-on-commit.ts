// Sending a webhook from the process that recorded it, as soon as the recording transaction commits,
// rather than through the job queue: graphile-worker's pick-up of the job and then a claim cost tens
// of milliseconds between CONFIRMED and the attempt, against a 20 ms budget for the whole delivery.
// The outbox guarantee is unchanged: the event, its delivery and its job still commit with the status
// change, the delivery already claimed by this process (DELIVERING, under a lease) so no job can send
// it meanwhile. The job waits that lease out instead of racing this process and is dropped once the
// delivery is settled; should this process die before or during the attempt, the job makes it then,
// as after any worker died mid-attempt. Retries go through the job as always.
import type { Transaction as DbTransaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { collectDeliveriesToSend, type DeliveryToSend } from './outbox.js';
import { deliverClaimed, leaseMs, type DeliveryContext } from './deliver.js';

/** The processes, by database handle, that deliver webhooks (they run deliver_webhook). */
const senders = new WeakMap<Db, DeliveryContext>();

/** Deliveries recorded through `ctx.db` in transactionSendingWebhooks are sent by this process at commit. */
export function sendWebhooksOnCommit(ctx: DeliveryContext): void {
  senders.set(ctx.db, ctx);
}

/**
 * Runs `work` in a database transaction; once it has committed, the webhook deliveries it recorded are
 * sent from this process straight away (without waiting for them), when it delivers webhooks at all.
 */
export async function transactionSendingWebhooks<T>(db: Db, work: (trx: DbTransaction<Database>) => Promise<T>): Promise<T> {
  const sender = senders.get(db);
  if (!sender) return db.transaction().execute(work);
  let deliveries: DeliveryToSend[] = [];
  const result = await db.transaction().execute((trx) => {
    deliveries = collectDeliveriesToSend(trx, { leaseMs: leaseMs(sender.config) });
    return work(trx);
  });
  for (const delivery of deliveries) void sendNow(sender, delivery);
  return result;
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
