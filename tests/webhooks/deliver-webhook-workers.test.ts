// deliver_webhook with several workers on one database, and with workers that die mid-attempt.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { createTestApp, testEnvironment, type TestApp } from '../support/test-app.js';
import { openContext, startWorker, type OpenContext, type RunningWorker } from '../../src/runtime/services.js';
import { createLogger } from '../../src/observability/logger.js';
import { transitionTransaction } from '../../src/status/transition.js';
import { insertWebhookDelivery, insertWebhookEvent, INTERRUPTED_ATTEMPT_ERROR } from '../../src/db/webhooks.js';
import { enqueueWebhookDelivery } from '../../src/db/jobs.js';
import { newDeliveryId, newEventId, toTestEvent } from '../../src/webhooks/events.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { deliveryOfTransaction, findDelivery, insertSubmittedTransaction, waitForSettled } from './support/deliveries.js';
import { runUnitOfWork } from '../../src/status/unit-of-work.js';

const WEBHOOK_ENV = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20' };

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);

describe('two workers on the same database', () => {
  let t: TestApp;
  let second: { ctx: OpenContext; worker: RunningWorker };
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: WEBHOOK_ENV });
    const ctx = openContext(t.config, createLogger({ level: 'silent' }));
    second = { ctx, worker: await startWorker(ctx) };
  });
  afterAll(async () => {
    await second.worker.stop();
    await second.ctx.close();
    await t.close();
  });

  it('never send a delivery twice, even with duplicate jobs for every delivery racing each other', async () => {
    receiver.answerOn('/many', () => ({ status: 200, delayMs: 150 }));
    const client = await t.createClient({ webhookUrl: receiver.url('/many') });
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId, userId: `u${i}` })));
    // All twenty end in one commit, each delivery with three extra jobs besides its own.
    await runUnitOfWork({ db: t.ctx.db }, async (unit) => {
      for (const transactionId of ids) await transitionTransaction(unit, { transactionId, to: 'CONFIRMED' });
      await sql`select graphile_worker.add_job('deliver_webhook', json_build_object('deliveryId', d.id))
        from webhook_deliveries d, generate_series(1, 3) where d.client_id = ${client.clientId}`.execute(unit.trx);
    });
    const deliveries = await Promise.all(ids.map(async (id) => (await deliveryOfTransaction(t.ctx.db, id))!));
    const settled = await Promise.all(deliveries.map((d) => waitForSettled(t.ctx.db, d.id)));
    for (const { delivery, attempts } of settled) {
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1 });
      expect(attempts).toHaveLength(1);
    }
    // Duplicate jobs that lost the race look again after the winner's lease; give stragglers a moment.
    await new Promise((r) => setTimeout(r, 500));
    const requests = requestsTo('/many');
    expect(requests).toHaveLength(20);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(20);
    for (const r of requests) verifyWebhook(r, client.webhookSecret);
  });

  it('keep to the retry time even when a duplicate job runs during the wait', async () => {
    receiver.answerOn('/patient', (_request, index) => (index === 0 ? { status: 503, headers: { 'Retry-After': '2' } } : { status: 200 }));
    const client = await t.createClient({ webhookUrl: receiver.url('/patient') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    await runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to: 'CONFIRMED' }));
    const { id: deliveryId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;
    await receiver.waitFor(1, { path: '/patient' });
    while ((await findDelivery(t.ctx.db, deliveryId)).status !== 'PENDING') await new Promise((r) => setTimeout(r, 20));
    await sql`select graphile_worker.add_job('deliver_webhook', json_build_object('deliveryId', ${deliveryId}::text))`.execute(t.ctx.db);

    const { delivery } = await waitForSettled(t.ctx.db, deliveryId);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2 });
    const [first, second] = requestsTo('/patient');
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1990);
  });

  it('take over a delivery left DELIVERING by a dead worker once its lease ran out, recording the lost attempt', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/orphan') });
    const deliveryId = await strandedDelivery(t, { clientId: client.clientId, leaseLeftMs: -1_000 });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2, claim_token: null });
    expect(attempts.map((a) => [a.attempt_number, a.response_status, a.error_message])).toEqual([
      [1, null, INTERRUPTED_ATTEMPT_ERROR],
      [2, 200, null],
    ]);
    expect(requestsTo('/orphan')).toHaveLength(1);
  });

  it("leave a delivery alone while another worker's lease runs, and take it over when it ends", async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/leased') });
    const deliveryId = await strandedDelivery(t, { clientId: client.clientId, leaseLeftMs: 1_500 });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2 });
    expect(attempts.map((a) => a.error_message)).toEqual([INTERRUPTED_ATTEMPT_ERROR, null]);
  });
});

/** A delivery as a worker that died after claiming it leaves it: DELIVERING, attempt 1 under way, lease as given. */
async function strandedDelivery(t: TestApp, { clientId, leaseLeftMs }: { clientId: string; leaseLeftMs: number }): Promise<string> {
  return t.ctx.db.transaction().execute(async (trx) => {
    const envelope = toTestEvent({ eventId: newEventId(), clientId });
    const event = await insertWebhookEvent(trx, { id: envelope.id, clientId, eventType: envelope.event, body: JSON.stringify(envelope) });
    const delivery = await insertWebhookDelivery(trx, { id: newDeliveryId(), event });
    await trx
      .updateTable('webhook_deliveries')
      .set({
        status: 'DELIVERING',
        attempt_count: 1,
        claim_token: 'a-worker-that-died',
        last_attempt_at: sql<Date>`now() - interval '20 seconds'`,
        claim_expires_at: sql<Date>`now() + ${leaseLeftMs} * interval '1 millisecond'`,
      })
      .where('id', '=', delivery.id)
      .execute();
    // Its job, as liveness leaves it after unlocking the dead worker's jobs: ready to run again.
    await enqueueWebhookDelivery(trx, { deliveryId: delivery.id });
    return delivery.id;
  });
}

describe('a worker process killed mid-attempt', () => {
  // Fast heartbeats, so the surviving worker unlocks the dead one's job within seconds; a 1 s timeout,
  // so the dead attempt's lease (timeout + 15 s grace) ends within the test.
  const env = { ...WEBHOOK_ENV, WEBHOOK_TIMEOUT_MS: '1000', WORKER_HEARTBEAT_MS: '300', WORKER_STALE_AFTER_MS: '1500' };
  let t: TestApp;
  let child: ChildProcess | undefined;
  let survivor: RunningWorker | undefined;
  beforeAll(async () => {
    t = await createTestApp({ env });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await survivor?.stop();
    await t.close();
  });

  it('does not lose the delivery: another worker sends it again after the lease, recording the lost attempt', async () => {
    receiver.answerOn('/killed', (_request, index) => (index === 0 ? 'hang' : { status: 200 }));
    child = spawn(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), 'worker'], {
      env: { PATH: process.env.PATH, ...testEnvironment(t.databaseUrl, { ...env, MASTER_KEY: t.config.masterKey }) } as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
    const client = await t.createClient({ webhookUrl: receiver.url('/killed') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    await runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to: 'CONFIRMED' }));
    const { id: deliveryId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;

    await receiver.waitFor(1, { path: '/killed', timeoutMs: 60_000 });
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    survivor = await startWorker(t.ctx);

    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId, 60_000);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2 });
    expect(attempts.map((a) => [a.attempt_number, a.response_status, a.error_message])).toEqual([
      [1, null, INTERRUPTED_ATTEMPT_ERROR],
      [2, 200, null],
    ]);
    const requests = requestsTo('/killed');
    expect(requests).toHaveLength(2);
    expect(requests[0].headers['webhook-id']).toBe(requests[1].headers['webhook-id']);
    verifyWebhook(requests[1], client.webhookSecret);
  }, 120_000);
});
