// The retry horizon: WEBHOOK_RETRY_SCHEDULE says how long a receiver may be down and still get every
// event. Against a real receiver on loopback with a shortened schedule (100 ms, 200 ms, 300 ms: four
// attempts in all), and the schedule's configuration, old variables included.
import { createTestApp, testEnvironment, type TestApp, type TestClient } from '../support/test-app.js';
import { parseConfig } from '../../src/config/load.js';
import { DEFAULT_RETRY_SCHEDULE, legacyRetrySchedule, parseRetrySchedule } from '../../src/config/webhook-retry-schedule.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { endTransaction, pendingJobs, waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '100ms,200ms,300ms' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const clientAt = (path: string): Promise<TestClient> => t.createClient({ webhookUrl: receiver.url(path) });
const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);

describe('a receiver down for the whole schedule', () => {
  it('gets exactly the scheduled attempts, each after its wait (−20 % jitter at most), then the delivery ends FAILED', async () => {
    receiver.answerOn('/down-all-day', () => ({ status: 503 }));
    const client = await clientAt('/down-all-day');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);

    expect(delivery).toMatchObject({ status: 'FAILED', attempt_count: 4, last_response_status: 503, error_message: 'endpoint answered HTTP 503' });
    expect(attempts.map((a) => [a.attempt_number, a.response_status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 503],
      [4, 503],
    ]);
    const requests = requestsTo('/down-all-day');
    expect(requests).toHaveLength(4);
    const gaps = requests.slice(1).map((r, i) => r.receivedAt - requests[i].receivedAt);
    // Each wait is scheduled from the moment the failure was recorded, after the answer arrived.
    for (const [i, scheduled] of [100, 200, 300].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(scheduled * 0.8 - 5);
    expect(await pendingJobs(t.ctx.db, deliveryId!)).toBe(0);
    expect(t.config.webhooks.maxAttempts).toBe(4);
  });
});

describe('a receiver down for most of the schedule', () => {
  it('gets the event at the last attempt, with the same webhook-id and body every time and a signature that verifies', async () => {
    // Three failed attempts, back up for the fourth and last.
    receiver.answerOn('/back-in-time', (_request, index) => ({ status: index < 3 ? 502 : 200 }));
    const client = await clientAt('/back-in-time');
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const { delivery, attempts } = await waitForSettled(t.ctx.db, deliveryId!);

    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 4, last_response_status: 200, error_message: null });
    expect(attempts.map((a) => a.response_status)).toEqual([502, 502, 502, 200]);
    const requests = requestsTo('/back-in-time');
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery.event_id]));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(verifyWebhook(requests[3], client.webhookSecret)).toMatchObject({ id: delivery.event_id, event: 'transaction.confirmed' });
    expect(await pendingJobs(t.ctx.db, deliveryId!)).toBe(0);
  });
});

describe('WEBHOOK_RETRY_SCHEDULE', () => {
  const env = (overrides: Record<string, string> = {}) => testEnvironment('postgres://chronos@127.0.0.1:5432/chronos', overrides);

  it("defaults to Standard Webhooks' schedule: 7 retries over about 27.5 hours, 8 attempts in all", () => {
    const { webhooks } = parseConfig(env(), 'external');
    const [s, m, h] = [1_000, 60_000, 3_600_000];
    expect(webhooks.retryScheduleMs).toEqual([5 * s, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h]);
    expect(webhooks.maxAttempts).toBe(8);
    expect(webhooks.retryScheduleFrom).toBe('default');
    const horizonHours = webhooks.retryScheduleMs.reduce((a, b) => a + b, 0) / h;
    expect(horizonHours).toBeGreaterThan(24);
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual(webhooks.retryScheduleMs);
  });

  it('reads waits in ms, s, m, h and d; its length is the number of retries; none means a single attempt', () => {
    expect(parseConfig(env({ WEBHOOK_RETRY_SCHEDULE: '250ms, 2s,1m,1h,1d' }), 'external').webhooks).toMatchObject({
      retryScheduleMs: [250, 2_000, 60_000, 3_600_000, 86_400_000],
      maxAttempts: 6,
      retryScheduleFrom: 'WEBHOOK_RETRY_SCHEDULE',
    });
    expect(parseConfig(env({ WEBHOOK_RETRY_SCHEDULE: 'none' }), 'external').webhooks).toMatchObject({ retryScheduleMs: [], maxAttempts: 1 });
  });

  it.each(['5', '5s,,5m', '5 minutes', '0s', '-5s', '1.5s'])('refuses %j, naming the variable', (value) => {
    expect(() => parseConfig(env({ WEBHOOK_RETRY_SCHEDULE: value }), 'external')).toThrow(/^WEBHOOK_RETRY_SCHEDULE must be waits like 5s,5m,30m,2h/m);
  });

  it('still honours WEBHOOK_MAX_ATTEMPTS and WEBHOOK_RETRY_BASE_MS when set: the old base × 4^(n-1) schedule, each wait capped at an hour', () => {
    expect(parseConfig(env({ WEBHOOK_MAX_ATTEMPTS: '5', WEBHOOK_RETRY_BASE_MS: '5000' }), 'external').webhooks).toMatchObject({
      retryScheduleMs: [5_000, 20_000, 80_000, 320_000],
      maxAttempts: 5,
      retryScheduleFrom: 'WEBHOOK_MAX_ATTEMPTS/WEBHOOK_RETRY_BASE_MS',
    });
    // Either alone takes the other at its old default (5 attempts, 5 s).
    expect(parseConfig(env({ WEBHOOK_RETRY_BASE_MS: '20' }), 'external').webhooks.retryScheduleMs).toEqual([20, 80, 320, 1_280]);
    expect(parseConfig(env({ WEBHOOK_MAX_ATTEMPTS: '2' }), 'external').webhooks.retryScheduleMs).toEqual([5_000]);
    expect(legacyRetrySchedule({ maxAttempts: 10, baseMs: 5_000 }).at(-1)).toBe(3_600_000);
  });

  it('refuses the schedule together with an old variable: which one is meant is not guessed', () => {
    expect(() => parseConfig(env({ WEBHOOK_RETRY_SCHEDULE: '5s', WEBHOOK_MAX_ATTEMPTS: '3' }), 'external')).toThrow(
      /^WEBHOOK_RETRY_SCHEDULE and WEBHOOK_MAX_ATTEMPTS are both set: the schedule replaces them/m,
    );
  });
});
