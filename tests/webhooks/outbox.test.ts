// The outbox: a terminal status change and its webhook event, delivery and job commit together, so
// no crash can separate them; and a real mint ends in a transaction.confirmed webhook that verifies.
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, requestMint, waitForTerminal } from '../support/operations.js';
import { setWebhook } from '../../src/admin/clients.js';
import { findTransaction } from '../../src/db/transactions.js';
import { startWorker } from '../../src/runtime/services.js';
import { transitionTransaction } from '../../src/status/transition.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { deliveryOfTransaction, insertSubmittedTransaction, pendingJobs, waitForSettled } from './support/deliveries.js';
import { runUnitOfWork } from '../../src/status/unit-of-work.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('with no worker running', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  });
  afterAll(() => t.close());

  const eventsOf = (transactionId: string) => t.ctx.db.selectFrom('webhook_events').selectAll().where('transaction_id', '=', transactionId).execute();

  it('writes nothing when the status change rolls back, and event + delivery + job when it commits', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/outbox') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });

    await expect(
      runUnitOfWork({ db: t.ctx.db }, async (unit) => {
        await transitionTransaction(unit, { transactionId, to: 'CONFIRMED', changes: { tx_hash: `0x${'cd'.repeat(32)}`, block_number: 7 } });
        throw new Error('crash after the status change, before commit');
      }),
    ).rejects.toThrow('crash after the status change');
    expect((await findTransaction(t.ctx.db, transactionId))!.status).toBe('SUBMITTED');
    expect(await eventsOf(transactionId)).toEqual([]);
    expect(await deliveryOfTransaction(t.ctx.db, transactionId)).toBeUndefined();

    await runUnitOfWork({ db: t.ctx.db }, (unit) =>
      transitionTransaction(unit, { transactionId, to: 'CONFIRMED', changes: { tx_hash: `0x${'cd'.repeat(32)}`, block_number: 7 } }),
    );
    const [event] = await eventsOf(transactionId);
    expect(JSON.parse(event.body)).toEqual({
      id: event.id,
      event: 'transaction.confirmed',
      timestamp: expect.any(String),
      data: expect.objectContaining({ transactionId, status: 'CONFIRMED', txHash: `0x${'cd'.repeat(32)}`, blockNumber: 7, error: null }),
    });
    const delivery = await deliveryOfTransaction(t.ctx.db, transactionId);
    expect(delivery).toMatchObject({ status: 'PENDING', attempt_count: 0, event_id: event.id, client_id: client.clientId });
    expect(await pendingJobs(t.ctx.db, delivery!.id)).toBe(1);
  });

  it('emits nothing for a non-terminal change, and keeps the event without a delivery when the client has no webhook URL', async () => {
    const withUrl = await t.createClient({ webhookUrl: receiver.url('/outbox') });
    const accepted = await insertSubmittedTransaction(t.ctx.db, { clientId: withUrl.clientId });
    await sql`update transactions set status = 'ACCEPTED' where id = ${accepted}`.execute(t.ctx.db);
    await runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId: accepted, to: 'SUBMITTING' }));
    expect(await eventsOf(accepted)).toEqual([]);

    const silent = await t.createClient();
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: silent.clientId });
    await runUnitOfWork({ db: t.ctx.db }, (unit) =>
      transitionTransaction(unit, { transactionId, to: 'REVERTED', changes: { error_code: 'EXECUTION_REVERTED', error_message: 'reverted' } }),
    );
    expect(await eventsOf(transactionId)).toEqual([expect.objectContaining({ event_type: 'transaction.reverted', client_id: silent.clientId })]);
    expect(await deliveryOfTransaction(t.ctx.db, transactionId)).toBeUndefined();
  });

  it('loses nothing when no worker runs between the status change and the send: a worker started later delivers it', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/later') });
    const transactionId = await insertSubmittedTransaction(t.ctx.db, { clientId: client.clientId });
    await runUnitOfWork({ db: t.ctx.db }, (unit) =>
      transitionTransaction(unit, { transactionId, to: 'EXPIRED', changes: { error_code: 'INCLUSION_TIMEOUT', error_message: 'late' } }),
    );
    const delivery = (await deliveryOfTransaction(t.ctx.db, transactionId))!;
    expect(delivery.status).toBe('PENDING');
    expect(receiver.received.filter((r) => r.path === '/later')).toHaveLength(0);

    const worker = await startWorker(t.ctx);
    try {
      const { delivery: settled } = await waitForSettled(t.ctx.db, delivery.id);
      expect(settled).toMatchObject({ status: 'DELIVERED', attempt_count: 1 });
    } finally {
      await worker.stop();
    }
    const [request] = receiver.received.filter((r) => r.path === '/later');
    expect(verifyWebhook(request, client.webhookSecret)).toMatchObject({
      event: 'transaction.expired',
      data: { transactionId, status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT', message: 'late' } },
    });
  });
});

describe('end to end, through the chain', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  });
  afterAll(() => t.close());

  it('a mint accepted over the API ends in a transaction.confirmed webhook that verifies and matches GET /transactions', async () => {
    const actor = await createMintingClient(t);
    await setWebhook(t.ctx.db, actor.client.clientId, receiver.url('/minted'));
    const res = await requestMint(t, actor, 'mint-user', { receiptId: `webhook-e2e-${Date.now()}`, amountWei: 1_000n });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done.status).toBe('CONFIRMED');

    const [request] = await receiver.waitFor(1, { path: '/minted' });
    expect(verifyWebhook(request, actor.client.webhookSecret)).toEqual({
      id: request.headers['webhook-id'],
      event: 'transaction.confirmed',
      timestamp: expect.any(String),
      data: {
        transactionId: done.transactionId,
        userId: 'mint-user',
        type: 'mint',
        status: 'CONFIRMED',
        userOpHash: done.userOpHash,
        txHash: done.txHash,
        blockNumber: done.blockNumber,
        error: null,
      },
    });
  });
});
