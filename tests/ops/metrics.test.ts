// /metrics after real work: a mint and a transfer CONFIRMED on the local chain, each announced by a
// delivered webhook. Every Chronos metric is there, with values that match what happened.
import request from 'supertest';
import { sql } from 'kysely';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { insertSubmittedTransaction } from '../webhooks/support/deliveries.js';
import { setWebhook } from '../../src/admin/clients.js';
import { declaredMetrics, parsePrometheus, sampleValue, type Sample } from './support/prometheus.js';
import { spawnChronos, stopChronos } from '../support/processes.js';
import { waitUntilServing } from './support/remote.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { createOrphanCheck } from '../../src/worker/orphan-check.js';

let t: TestApp;
let receiver: Receiver;
let actor: Actor;
let confirmedBlock: number;

const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
  const res = await request(t.app).get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: res.text, samples: parsePrometheus(res.text) };
};

/** Scrapes until `ready` holds: some counters move only after the HTTP answer that a test waits for. */
async function scrapeUntil(ready: (samples: Sample[]) => boolean, timeoutMs = 20_000): Promise<{ text: string; samples: Sample[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const scraped = await scrape();
    if (ready(scraped.samples) || Date.now() > deadline) return scraped;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t);
  await setWebhook(t.ctx.db, actor.client.clientId, receiver.url('/hooks'));

  await fund(t, actor, 'metrics-user', '10');
  const transfer = await api(t, actor, 'metrics-user').post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });
  expect(transfer.status).toBe(202);
  const done = await waitForTerminal(t, actor, transfer.body.transactionId);
  expect(done.status).toBe('CONFIRMED');
  confirmedBlock = Number(done.blockNumber);
  await receiver.waitFor(2, { path: '/hooks' });
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('GET /metrics after a CONFIRMED mint and transfer', () => {
  it('counts and times HTTP requests by route pattern and status, never by raw URL', async () => {
    const { samples } = await scrape();
    expect(sampleValue(samples, 'chronos_http_requests_total', { method: 'POST', route: '/api/v1/mint/execute', status: '202' })).toBe(1);
    expect(sampleValue(samples, 'chronos_http_requests_total', { method: 'POST', route: '/api/v1/wallet/transfer', status: '202' })).toBe(1);
    expect(sampleValue(samples, 'chronos_http_requests_total', { method: 'POST', route: '/api/v1/auth/token', status: '200' })).toBeGreaterThanOrEqual(1);
    const polls = sampleValue(samples, 'chronos_http_requests_total', { method: 'GET', route: '/api/v1/transactions/:transactionId', status: '200' });
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(
      sampleValue(samples, 'chronos_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/transactions/:transactionId', status: '200' }),
    ).toBe(polls);
    expect(sampleValue(samples, 'chronos_http_request_duration_seconds_sum', { method: 'POST', route: '/api/v1/mint/execute', status: '202' })).toBeGreaterThan(
      0,
    );
    expect(
      sampleValue(samples, 'chronos_http_request_duration_seconds_bucket', { method: 'POST', route: '/api/v1/mint/execute', status: '202', le: '+Inf' }),
    ).toBe(1);
    // Ids in paths would make one time series per transaction.
    expect(samples.filter((s) => /tx_|0x[0-9a-f]{8}/i.test(s.labels.route ?? ''))).toEqual([]);

    await request(t.app).get('/no/such/thing');
    expect(sampleValue((await scrape()).samples, 'chronos_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
  });

  it('counts and times worker jobs by task and outcome', async () => {
    const { samples } = await scrapeUntil((s) => (sampleValue(s, 'chronos_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0) >= 2);
    expect(sampleValue(samples, 'chronos_jobs_total', { task: 'submit_transaction', outcome: 'success' })).toBe(2);
    // Both webhooks were sent by the settling worker as their status committed: no delivery job ran.
    expect(sampleValue(samples, 'chronos_jobs_total', { task: 'deliver_webhook', outcome: 'success' }) ?? 0).toBe(0);
    expect(sampleValue(samples, 'chronos_job_duration_seconds_count', { task: 'submit_transaction', outcome: 'success' })).toBe(2);
    expect(sampleValue(samples, 'chronos_job_duration_seconds_sum', { task: 'submit_transaction', outcome: 'success' })).toBeGreaterThan(0);
  });

  it('counts status transitions and times each status a transaction left', async () => {
    const { samples } = await scrape();
    expect(sampleValue(samples, 'chronos_transaction_transitions_total', { from: 'none', to: 'ACCEPTED' })).toBe(2);
    expect(sampleValue(samples, 'chronos_transaction_transitions_total', { from: 'ACCEPTED', to: 'SUBMITTING' })).toBe(2);
    expect(sampleValue(samples, 'chronos_transaction_transitions_total', { from: 'SUBMITTING', to: 'SUBMITTED' })).toBe(2);
    expect(sampleValue(samples, 'chronos_transaction_transitions_total', { from: 'SUBMITTED', to: 'CONFIRMED' })).toBe(2);
    for (const type of ['mint', 'transfer']) {
      for (const status of ['ACCEPTED', 'SUBMITTING', 'SUBMITTED']) {
        expect(sampleValue(samples, 'chronos_transaction_status_duration_seconds_count', { status, type })).toBe(1);
        const seconds = sampleValue(samples, 'chronos_transaction_status_duration_seconds_sum', { status, type })!;
        expect(seconds).toBeGreaterThan(0);
        expect(seconds).toBeLessThan(60);
      }
    }
  });

  it('reports the transactions in each active status, none of them stalled, and how far the tracker has read', async () => {
    const { samples } = await scrape();
    for (const status of ['ACCEPTED', 'SUBMITTING', 'SUBMITTED']) expect(sampleValue(samples, 'chronos_transactions', { status })).toBe(0);
    expect(sampleValue(samples, 'chronos_transactions_stalled')).toBe(0);
    expect(sampleValue(samples, 'chronos_transactions_orphaned')).toBe(0);
    expect(sampleValue(samples, 'chronos_tracker_block')).toBeGreaterThanOrEqual(confirmedBlock);
  });

  it('counts webhook deliveries by outcome and times the attempts', async () => {
    const { samples } = await scrapeUntil((s) => (sampleValue(s, 'chronos_webhook_deliveries_total', { outcome: 'delivered' }) ?? 0) >= 2);
    expect(sampleValue(samples, 'chronos_webhook_deliveries_total', { outcome: 'delivered' })).toBe(2);
    expect(sampleValue(samples, 'chronos_webhook_attempt_duration_seconds_count', { outcome: 'delivered' })).toBe(2);
  });

  it('includes the process metrics of Node (CPU, memory, event loop)', async () => {
    const { text, samples } = await scrape();
    expect(declaredMetrics(text)).toEqual(
      expect.arrayContaining([
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
      ]),
    );
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a transaction SUBMITTED longer than STALLED_AFTER_SECONDS as stalled', async () => {
    // Stand-ins for operations the bundler holds but never includes: one just sent, one sent an hour ago.
    const fresh = await insertSubmittedTransaction(t.ctx.db, { clientId: actor.client.clientId, userId: 'stalled-1' });
    const old = await insertSubmittedTransaction(t.ctx.db, { clientId: actor.client.clientId, userId: 'stalled-2' });
    await t.ctx.db.updateTable('transactions').set({ submitted_at: sql`now()` }).where('id', '=', fresh).execute();
    await t.ctx.db.updateTable('transactions').set({ submitted_at: sql`now() - interval '1 hour'` }).where('id', '=', old).execute();
    const { samples } = await scrape();
    expect(sampleValue(samples, 'chronos_transactions', { status: 'SUBMITTED' })).toBe(2);
    expect(sampleValue(samples, 'chronos_transactions_stalled')).toBe(1);
    // Written straight into the table, they have no submit job: exactly what the orphan gauge is for.
    expect(sampleValue(samples, 'chronos_transactions_orphaned')).toBe(2);
  });

  it("counts an active transaction whose submit job is gone or used every attempt as orphaned, and the worker's check logs it", async () => {
    const before = sampleValue((await scrape()).samples, 'chronos_transactions_orphaned')!;
    // Accepted with a job that a worker will not pick up yet: the job is there, so it is no orphan.
    const queued = await insertSubmittedTransaction(t.ctx.db, { clientId: actor.client.clientId, userId: 'orphan-1' });
    await sql`select graphile_worker.add_job('submit_transaction', json_build_object('transactionId', ${queued}::text), run_at => now() + interval '1 hour', max_attempts => 3)`.execute(
      t.ctx.db,
    );
    expect(sampleValue((await scrape()).samples, 'chronos_transactions_orphaned')).toBe(before);
    // Its job out of attempts: nothing will move it any more.
    await sql`update graphile_worker._private_jobs set attempts = max_attempts where payload->>'transactionId' = ${queued}`.execute(t.ctx.db);
    expect(sampleValue((await scrape()).samples, 'chronos_transactions_orphaned')).toBe(before + 1);

    const logged: unknown[] = [];
    const logger = { error: (fields: unknown, message: string) => logged.push({ fields, message }) } as unknown as TestApp['ctx']['logger'];
    expect(await createOrphanCheck({ ...t.ctx, logger }).check()).toBe(before + 1);
    expect(logged).toEqual([{ fields: { orphaned: before + 1 }, message: expect.stringMatching(/no submit job/) }]);
  });
});

describe('with METRICS_PORT set', () => {
  it('a `chronos api` process serves /metrics on that port only, and its API and probes on PORT', async () => {
    const [apiPort, metricsPort] = await getFreePorts(2);
    const api = spawnChronos('api', { ...t.env, HOST: '127.0.0.1', PORT: String(apiPort), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' });
    try {
      await waitUntilServing(`http://127.0.0.1:${apiPort}/healthz`, { output: api.output });
      await waitUntilServing(`http://127.0.0.1:${metricsPort}/healthz`, { output: api.output });
      const onApiPort = await fetch(`http://127.0.0.1:${apiPort}/metrics`);
      expect(onApiPort.status).toBe(404);
      expect(((await onApiPort.json()) as { code: string }).code).toBe('NOT_FOUND');
      expect((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status).toBe(200);
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      // The refused scrape on the API port was counted, and shows up here.
      expect(sampleValue(parsePrometheus(await scraped.text()), 'chronos_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/wallet/balance`)).status).toBe(404);
    } finally {
      await stopChronos(api);
    }
  }, 60_000);
});
