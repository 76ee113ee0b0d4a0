// The webhook of a settled transaction is sent by the worker that settled it as soon as the status
// commits, not after a hop through the job queue; the job queued with it stays the durable fallback
// (a crash before the send, a failed send's retries), and the two never send one delivery twice.
import { sql } from 'kysely';
import type { Hex } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startWorker } from '../../src/runtime/services.js';
import { settleInclusions, type InclusionEvent } from '../../src/tracking/settle.js';
import { transitionTransaction } from '../../src/status/transition.js';
import { runUnitOfWork, type UnitOfWorkContext } from '../../src/status/unit-of-work.js';
import { claimDueDelivery, INTERRUPTED_ATTEMPT_ERROR } from '../../src/db/webhooks.js';
import { leaseMs } from '../../src/webhooks/deliver.js';
import type { CommitSender } from '../../src/webhooks/outbox.js';
import { createCommitSender } from '../../src/webhooks/send-on-commit.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { deliveryOfTransaction, findDelivery, insertSubmittedTransaction, pendingJobs, waitForSettled } from './support/deliveries.js';

const WEBHOOK_ENV = { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20' };

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The EntryPoint's UserOperationEvent for a SUBMITTED transaction, as the inclusion tracker reads it. */
async function includedEvent(t: TestApp, transactionId: string): Promise<InclusionEvent> {
  const { user_op_hash } = await t.ctx.db.selectFrom('transactions').select('user_op_hash').where('id', '=', transactionId).executeTakeFirstOrThrow();
  return {
    userOpHash: user_op_hash as Hex,
    success: true,
    actualGasUsed: 21_000n,
    actualGasCost: 1n,
    transactionHash: `0x${'ab'.repeat(32)}`,
    blockNumber: 1234n,
    blockHash: `0x${'cd'.repeat(32)}`,
  };
}

/** The run time of the delivery's waiting job, in ms from now. */
async function jobDueInMs(t: TestApp, deliveryId: string): Promise<number> {
  const { rows } = await sql<{ ms: number }>`select (extract(epoch from run_at - now()) * 1000)::float8 as ms
    from graphile_worker._private_jobs where key = ${`deliver_webhook:${deliveryId}`}`.execute(t.ctx.db);
  return rows[0].ms;
}

describe('a worker settling a transaction', () => {
  let t: TestApp;
  /** Settling as a worker does: what it records, it sends at commit. */
  let settling: UnitOfWorkContext & Pick<TestApp['ctx'], 'config' | 'logger'> & { webhooksAtCommit: CommitSender };
  beforeAll(async () => {
    // No job runner at all: whatever arrives was sent by the settling process itself.
    t = await createTestApp({ env: WEBHOOK_ENV });
    settling = { db: t.ctx.db, config: t.ctx.config, logger: t.ctx.logger, webhooksAtCommit: createCommitSender(t.ctx) };
  });
  afterAll(() => t.close());

  it('sends the transaction.confirmed webhook as soon as the status commits, and drops the fallback job once delivered', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/at-commit') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId, userId: 'alice' });
    const settledAt = Date.now();
    expect(await settleInclusions(settling, [await includedEvent(t, transactionId)], { settleUpTo: 1234n })).toEqual([{ transactionId, status: 'CONFIRMED' }]);

    const [request] = await receiver.waitFor(1, { path: '/at-commit', timeoutMs: 5_000 });
    expect(request.receivedAt - settledAt).toBeLessThan(2_000);
    expect(verifyWebhook(request, client.webhookSecret)).toMatchObject({
      event: 'transaction.confirmed',
      data: { transactionId, userId: 'alice', status: 'CONFIRMED', txHash: `0x${'ab'.repeat(32)}`, blockNumber: 1234 },
    });
    const { id: deliveryId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1, last_response_status: 200, claim_token: null, claim_expires_at: null });
    expect(attempts).toEqual([expect.objectContaining({ attempt_number: 1, response_status: 200, url: receiver.url('/at-commit') })]);
    expect(await pendingJobs(t.ctx.db, deliveryId)).toBe(0);
  });

  it('leaves the delivery claimed and its job due a lease later when the process dies between the commit and the send; that job then delivers it', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/crashed') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    // What such a process leaves behind: the commit of the settle transaction, and no send after it.
    await t.ctx.db.transaction().execute(async (trx) => {
      await transitionTransaction(
        // A unit whose after-commit hooks never run: the process died right after the commit.
        { trx, webhooksAtCommit: settling.webhooksAtCommit, afterCommit: () => {} },
        { transactionId, to: 'CONFIRMED', changes: { tx_hash: `0x${'cd'.repeat(32)}`, block_number: 9 } },
      );
    });
    const { id: deliveryId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;
    expect(await findDelivery(t.ctx.db, deliveryId)).toMatchObject({ status: 'DELIVERING', attempt_count: 1, claim_token: expect.any(String) });
    expect(await pendingJobs(t.ctx.db, deliveryId)).toBe(1);
    const dueInMs = await jobDueInMs(t, deliveryId);
    expect(dueInMs).toBeGreaterThan(leaseMs(t.config) - 5_000);
    expect(dueInMs).toBeLessThanOrEqual(leaseMs(t.config));

    // A lease later (brought forward here), any worker runs the job and takes the delivery over.
    await sql`update webhook_deliveries set claim_expires_at = now() - interval '1 second' where id = ${deliveryId}`.execute(t.ctx.db);
    await sql`update graphile_worker._private_jobs set run_at = now() where key = ${`deliver_webhook:${deliveryId}`}`.execute(t.ctx.db);
    const worker = await startWorker(t.ctx);
    try {
      const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2 });
      expect(attempts.map((a) => [a.attempt_number, a.response_status, a.error_message])).toEqual([
        [1, null, INTERRUPTED_ATTEMPT_ERROR],
        [2, 200, null],
      ]);
    } finally {
      await worker.stop();
    }
    const requests = requestsTo('/crashed');
    expect(requests).toHaveLength(1);
    expect(verifyWebhook(requests[0], client.webhookSecret)).toMatchObject({ event: 'transaction.confirmed', data: { transactionId, blockNumber: 9 } });
  });

  it('lets exactly one of many simultaneous claims of a delivery take it, with what its attempt sends', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/claimed') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    // Recorded by a process that does not send at commit: PENDING, for whoever claims it.
    await runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to: 'CONFIRMED' }));
    const { id: deliveryId, event_id: eventId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimDueDelivery(t.ctx.db, { deliveryId, claimToken: `claim-${i}`, leaseMs: 60_000, maxAttempts: 5 })),
    );
    const won = claims.filter((c) => c !== undefined);
    expect(won).toHaveLength(1);
    expect(won[0]).toEqual({
      delivery: expect.objectContaining({ id: deliveryId, status: 'DELIVERING', attempt_count: 1, claim_token: expect.stringMatching(/^claim-\d$/) }),
      target: {
        eventId,
        transactionId,
        body: expect.stringContaining(transactionId),
        client: expect.objectContaining({ webhook_url: receiver.url('/claimed'), webhook_secret: client.webhookSecret, revoked_at: null }),
      },
    });
    expect(await findDelivery(t.ctx.db, deliveryId)).toMatchObject({ status: 'DELIVERING', attempt_count: 1, claim_token: won[0]!.delivery.claim_token });
  });
});

describe('a worker settling transactions while the job queue runs', () => {
  let t: TestApp;
  /** Settling as this worker does: what it records, it sends at commit. */
  let settling: UnitOfWorkContext & Pick<TestApp['ctx'], 'config' | 'logger'>;
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: WEBHOOK_ENV });
    settling = { db: t.ctx.db, config: t.ctx.config, logger: t.ctx.logger, webhooksAtCommit: createCommitSender(t.ctx) };
  });
  afterAll(() => t.close());

  it('makes exactly one attempt per delivery when jobs for every delivery race the send at commit', async () => {
    receiver.answerOn('/raced', () => ({ status: 200, delayMs: 100 }));
    const client = await t.createClient({ webhookUrl: receiver.url('/raced') });
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId, userId: `u${i}` })));
    // All twenty end in one commit that both sends them from here and, for each, adds three jobs due now.
    await runUnitOfWork(settling, async (unit) => {
      for (const transactionId of ids) await transitionTransaction(unit, { transactionId, to: 'CONFIRMED' });
      await sql`select graphile_worker.add_job('deliver_webhook', json_build_object('deliveryId', d.id))
        from webhook_deliveries d, generate_series(1, 3) where d.client_id = ${client.clientId}`.execute(unit.trx);
    });
    const deliveries = await Promise.all(ids.map(async (id) => (await deliveryOfTransaction(t.ctx.db, id))!));
    for (const { delivery, attempts } of await Promise.all(deliveries.map((d) => waitForSettled(t.ctx.db, d.id)))) {
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1 });
      expect(attempts).toHaveLength(1);
    }
    await sleep(500);
    const requests = requestsTo('/raced');
    expect(requests).toHaveLength(20);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(20);
    for (const r of requests) verifyWebhook(r, client.webhookSecret);
  });

  it('retries through the job when the send at commit fails: the next attempt delivers the same event', async () => {
    receiver.answerOn('/refused-first', (_request, index) => (index === 0 ? { status: 503 } : { status: 204 }));
    const client = await t.createClient({ webhookUrl: receiver.url('/refused-first') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    await settleInclusions(settling, [await includedEvent(t, transactionId)], { settleUpTo: 1234n });
    const { id: deliveryId } = (await deliveryOfTransaction(t.ctx.db, transactionId))!;

    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2, last_response_status: 204 });
    expect(attempts.map((a) => [a.attempt_number, a.response_status])).toEqual([
      [1, 503],
      [2, 204],
    ]);
    // The first attempt came well before the fallback job would have run: it was the send at commit.
    expect(attempts[0].started_at.getTime() - delivery.created_at.getTime()).toBeLessThan(leaseMs(t.config) / 2);
    const requests = requestsTo('/refused-first');
    expect(requests).toHaveLength(2);
    expect(requests[0].headers['webhook-id']).toBe(requests[1].headers['webhook-id']);
    expect(requests[0].body).toBe(requests[1].body);
    expect(await pendingJobs(t.ctx.db, deliveryId)).toBe(0);
  });
});
