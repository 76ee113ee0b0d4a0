// tx.wait(): polls at the server's Retry-After, returns at its timeout with the current status against
// an operation that does not move, and ends early from a webhook handed over by the receiver.
import { parseEther } from 'viem';
import { startWorker, type RunningWorker } from '../../src/runtime/services.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { recordingFetch, sdkFor, serveTestApp, type RecordedRequest, type ServedApp } from './support.js';

let t: ServedApp;
let receiver: Receiver;
let actor: Actor;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  receiver = await startReceiver();
  // No worker yet: accepted operations stay ACCEPTED until a test starts one.
  t = await serveTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t, { webhookUrl: receiver.url('/chronos') });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await receiver?.close();
});

const polls = (requests: RecordedRequest[], transactionId: string) =>
  requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/transactions/${transactionId}`);

describe('tx.wait', () => {
  it('polls as often as Retry-After says and returns at its timeout with the current status', async () => {
    const recorded = recordingFetch();
    const chronos = sdkFor(t.url, actor.client, { fetch: recorded.fetch });
    const mint = await chronos.user('gina').mint({ receiptId: 'wait-stalled', amount: parseEther('1'), sign: actor.signer });

    const startedAt = Date.now();
    const status = await mint.wait({ timeoutMs: 4500 });
    const elapsed = Date.now() - startedAt;

    expect(status).toMatchObject({ transactionId: mint.transactionId, status: 'ACCEPTED' });
    expect(elapsed).toBeGreaterThanOrEqual(4500);
    expect(elapsed).toBeLessThan(4500 + 2000);
    const made = polls(recorded.requests, mint.transactionId);
    // ACCEPTED answers carry Retry-After: 1, so 4.5 s hold polls at 0, 1, 2, 3 and 4 s (not one per event-loop turn).
    expect(made.every((p) => p.retryAfter === '1')).toBe(true);
    expect(made.length).toBeGreaterThanOrEqual(4);
    expect(made.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < made.length; i++) expect(made[i].at - made[i - 1].at).toBeGreaterThanOrEqual(950);
  });

  it('rejects with the reason when its signal aborts', async () => {
    const chronos = sdkFor(t.url, actor.client);
    const mint = await chronos.user('gina').mint({ receiptId: 'wait-aborted', amount: parseEther('1'), sign: actor.signer });
    const controller = new AbortController();
    const waiting = mint.wait({ timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 300);
    await expect(waiting).rejects.toThrow('caller gave up');
  });

  it('is not woken by an outcome of another transaction, nor by an event that is not an outcome', async () => {
    const recorded = recordingFetch();
    const chronos = sdkFor(t.url, actor.client, { fetch: recorded.fetch });
    const mint = await chronos.user('ivy').mint({ receiptId: 'wait-other', amount: parseEther('1'), sign: actor.signer });
    const waiting = mint.wait({ timeoutMs: 2500, minPollIntervalMs: 600_000 });
    await waitUntil(() => polls(recorded.requests, mint.transactionId).length === 1);
    const envelope = { id: 'evt_01jj0c2m3n4p5q6r7s8t9v0w1x', timestamp: new Date().toISOString() };
    chronos.handOverWebhook({ ...envelope, event: 'transaction.confirmed', data: { transactionId: 'tx_01jj0c2m3n4p5q6r7s8t9v0w1y', status: 'CONFIRMED' } });
    chronos.handOverWebhook({ ...envelope, event: 'transaction.stalled', data: { transactionId: mint.transactionId, status: 'SUBMITTED' } });
    expect(await waiting).toMatchObject({ transactionId: mint.transactionId, status: 'ACCEPTED' });
    expect(polls(recorded.requests, mint.transactionId)).toHaveLength(1);
  });

  it('ends as soon as the webhook of its outcome is handed over, not at its next poll', async () => {
    const recorded = recordingFetch();
    const chronos = sdkFor(t.url, actor.client, { fetch: recorded.fetch, webhookSecret: actor.client.webhookSecret });
    const mint = await chronos.user('hugo').mint({ receiptId: 'wait-webhook', amount: parseEther('2'), sign: actor.signer });
    // Polls at most every 10 minutes: only the webhook can end this wait before the test times out.
    const waiting = mint.wait({ timeoutMs: 600_000, minPollIntervalMs: 600_000 });
    await waitUntil(() => polls(recorded.requests, mint.transactionId).length === 1);

    worker = await startWorker(t.ctx);
    // The mints accepted by the tests above are confirmed too; this wait is on hugo's.
    await waitUntil(() => receiver.received.some((r) => r.body.includes(mint.transactionId)), 60_000);
    const delivery = receiver.received.find((r) => r.body.includes(mint.transactionId))!;
    const event = chronos.handleWebhook(delivery.body, delivery.headers);
    expect(event).toMatchObject({ event: 'transaction.confirmed', data: { transactionId: mint.transactionId, status: 'CONFIRMED' } });

    expect(await waiting).toMatchObject({ transactionId: mint.transactionId, status: 'CONFIRMED' });
    // The first poll saw ACCEPTED; the handed-over webhook caused the second, which read the outcome.
    expect(polls(recorded.requests, mint.transactionId).map((p) => p.retryAfter)).toEqual(['1', null]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
