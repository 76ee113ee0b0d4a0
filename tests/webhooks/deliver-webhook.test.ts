// deliver_webhook against a real HTTP receiver on loopback: what is sent, how it is signed, and how
// failures are retried. Terminal events come from the real status writer on inserted transactions.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { rotateWebhookSecret } from '../../src/admin/clients.js';
import { parseRetryAfter, retryDelayMs } from '../../src/webhooks/retry-schedule.js';
import { startReceiver, signedHeaders, verifyWebhook, type Receiver } from './support/receiver.js';
import { endTransaction, pendingJobs, waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // Loopback receivers need private targets allowed; a 20 ms base keeps the whole schedule short.
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

/** Each test has its own client and receiver path, so answers and counts never mix. */
const clientAt = (path: string): Promise<TestClient> => t.createClient({ webhookUrl: receiver.url(path) });
const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);

describe('deliver_webhook: what is sent', () => {
  it('POSTs the event envelope, signed per Standard Webhooks and verifiable with the client secret', async () => {
    const client = await clientAt('/signed');
    const { transactionId, deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId, userId: 'alice' });
    const [request] = await receiver.waitFor(1, { path: '/signed' });
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    const event = verifyWebhook(request, client.webhookSecret);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-z]{26}$/),
      event: 'transaction.confirmed',
      timestamp: expect.any(String),
      data: {
        transactionId,
        userId: 'alice',
        type: 'mint',
        status: 'CONFIRMED',
        userOpHash: expect.stringMatching(/^0x[0-9a-z]{64}$/),
        txHash: `0x${'ab'.repeat(32)}`,
        blockNumber: 1234,
        error: null,
      },
    });
    expect(new Date(event.timestamp).toISOString()).toBe(event.timestamp);
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    // The timestamp is the attempt's: receivers' replay windows are measured from it.
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(120);

    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({
      status: 'DELIVERED',
      attempt_count: 1,
      last_response_status: 200,
      error_message: null,
      event_type: 'transaction.confirmed',
    });
    expect(delivery.delivered_at).toBeInstanceOf(Date);
    expect(attempts).toEqual([expect.objectContaining({ attempt_number: 1, response_status: 200, error_message: null, url: receiver.url('/signed') })]);
  });

  it('carries the error of a FAILED transaction; a tampered body, another secret or a stale replay fail verification', async () => {
    const client = await clientAt('/tamper');
    const other = await t.createClient();
    await endTransaction(t.ctx.db, { clientId: client.clientId, to: 'FAILED' });
    const [request] = await receiver.waitFor(1, { path: '/tamper' });
    const secret = client.webhookSecret;
    expect(verifyWebhook(request, secret)).toMatchObject({
      event: 'transaction.failed',
      data: { status: 'FAILED', txHash: null, blockNumber: null, error: { code: 'BUNDLER_REJECTED', message: 'rejected by the bundler' } },
    });

    expect(() => verifyWebhook({ ...request, body: request.body.replace('"FAILED"', '"CONFIRMED"') }, secret)).toThrow(/No matching signature/);
    expect(() => verifyWebhook(request, other.webhookSecret)).toThrow(/No matching signature/);
    const retimed = { ...signedHeaders(request.headers), 'webhook-timestamp': String(Number(request.headers['webhook-timestamp']) + 1) };
    expect(() => new Webhook(secret).verify(request.body, retimed)).toThrow(/No matching signature/);
    // Replayed six minutes later: outside standardwebhooks' five-minute tolerance.
    const realNow = Date.now;
    Date.now = () => realNow() + 6 * 60_000;
    try {
      expect(() => verifyWebhook(request, secret)).toThrow(/too old/);
    } finally {
      Date.now = realNow;
    }
  });

  it('signs with both secrets during a webhook-secret rotation, each verifying alone; with the new one only after it', async () => {
    const client = await clientAt('/rotation');
    const { webhookSecret: newSecret } = await rotateWebhookSecret(t.ctx.db, client.clientId);
    await endTransaction(t.ctx.db, { clientId: client.clientId });
    const [during] = await receiver.waitFor(1, { path: '/rotation' });
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(during, newSecret).id).toBe(during.headers['webhook-id']);
    expect(verifyWebhook(during, client.webhookSecret).id).toBe(during.headers['webhook-id']);

    await t.ctx.db
      .updateTable('clients')
      .set({ previous_webhook_secret_expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', client.clientId)
      .execute();
    await endTransaction(t.ctx.db, { clientId: client.clientId });
    const [, after] = await receiver.waitFor(2, { path: '/rotation' });
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verifyWebhook(after, newSecret)).not.toThrow();
    expect(() => verifyWebhook(after, client.webhookSecret)).toThrow(/No matching signature/);
  });
});

describe('deliver_webhook: retries', () => {
  it('retries a receiver that fails three times: the fourth attempt delivers the same signed event', async () => {
    receiver.answerOn('/flaky', (_request, index) => (index < 3 ? { status: 500, body: 'oops' } : { status: 204 }));
    const client = await clientAt('/flaky');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 4, last_response_status: 204, error_message: null });
    expect(attempts.map((a) => [a.attempt_number, a.response_status, a.error_message])).toEqual([
      [1, 500, 'endpoint answered HTTP 500'],
      [2, 500, 'endpoint answered HTTP 500'],
      [3, 500, 'endpoint answered HTTP 500'],
      [4, 204, null],
    ]);
    for (const a of attempts) expect(a.response_time_ms).toEqual(expect.any(Number));
    const requests = requestsTo('/flaky');
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    for (const r of requests) verifyWebhook(r, client.webhookSecret);
    expect(await pendingJobs(t.ctx.db, deliveryId!)).toBe(0);
  });

  it('ends FAILED after maxAttempts (5) against a receiver that always fails, every attempt recorded, nothing left queued', async () => {
    receiver.answerOn('/down', () => ({ status: 503 }));
    const client = await clientAt('/down');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId, to: 'EXPIRED' });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({
      status: 'FAILED',
      attempt_count: 5,
      last_response_status: 503,
      error_message: 'endpoint answered HTTP 503',
      delivered_at: null,
    });
    expect(attempts.map((a) => [a.attempt_number, a.response_status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 503],
      [5, 503],
    ]);
    expect(await pendingJobs(t.ctx.db, deliveryId!)).toBe(0);
    expect(requestsTo('/down')).toHaveLength(5);
  });

  it('waits at least as long as Retry-After asks before the next attempt', async () => {
    receiver.answerOn('/slow-down', (_request, index) => (index === 0 ? { status: 429, headers: { 'Retry-After': '2' } } : { status: 200 }));
    const client = await clientAt('/slow-down');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 2 });
    const [first, second] = requestsTo('/slow-down');
    // Without Retry-After the first retry would come after ~20 ms.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1990);
  });

  it('does not follow a redirect: the attempt fails and names where it pointed', async () => {
    receiver.answerOn('/moved', () => ({ status: 302, headers: { Location: receiver.url('/elsewhere') } }));
    const client = await clientAt('/moved');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({ status: 'FAILED', attempt_count: 5, last_response_status: 302 });
    expect(attempts[0].error_message).toBe(`redirect (HTTP 302 to ${receiver.url('/elsewhere')}) not followed: set the webhook URL to its final address`);
    expect(requestsTo('/elsewhere')).toHaveLength(0);
  });

  it('records a refused connection as a failed attempt and retries it', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const client = await t.createClient({ webhookUrl: `http://127.0.0.1:${closedPort}/hooks` });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({ status: 'FAILED', attempt_count: 5, last_response_status: null, error_message: 'connection refused (ECONNREFUSED)' });
    expect(attempts).toHaveLength(5);
  });
});

describe('deliver_webhook: timeout', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_MAX_ATTEMPTS: '1' } });
  });
  afterAll(() => short.close());

  it('cuts a receiver that never answers at the timeout and records why', async () => {
    receiver.answerOn('/hang', () => 'hang');
    const client = await short.createClient({ webhookUrl: receiver.url('/hang') });
    const { deliveryId } = await endTransaction(short.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(short.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({
      status: 'FAILED',
      attempt_count: 1,
      last_response_status: null,
      error_message: 'no complete answer within 300 ms (timed out)',
    });
    expect(attempts[0].response_time_ms).toBeGreaterThanOrEqual(250);
    // The sender hung up; the receiver sees its request abandoned.
    const deadline = Date.now() + 10_000;
    while (!requestsTo('/hang')[0]?.abandoned && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect(requestsTo('/hang')[0].abandoned).toBe(true);
  });
});

describe('the retry schedule', () => {
  it('waits the n-th entry after the n-th failure with ±20 % jitter, never below Retry-After, which adds at most an hour', () => {
    const schedule = [5_000, 300_000, 1_800_000, 36_000_000];
    const at = (random: number, failedAttempts: number, retryAfterMs?: number) =>
      retryDelayMs({ schedule, failedAttempts, retryAfterMs, random: () => random });
    expect([1, 2, 3, 4].map((n) => at(0.5, n))).toEqual(schedule);
    expect([at(0, 1), at(1, 1)]).toEqual([4_000, 6_000]);
    expect(at(0.5, 1, 30_000)).toBe(30_000);
    expect(at(0.5, 3, 1_000)).toBe(1_800_000);
    expect(at(0.5, 1, 86_400_000)).toBe(5_000 + 3_600_000);
    expect(at(0.5, 4, 86_400_000)).toBe(36_000_000 + 3_600_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-15T10:30:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:31:30 GMT', now)).toBe(90_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
