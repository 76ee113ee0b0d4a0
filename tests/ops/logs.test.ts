// The logs of a full walk-through — `chronos api` and `chronos worker` as separate processes at
// LOG_LEVEL=debug: token → wallet → signed mint → transfer → status, with a webhook that fails once —
// are structured, tie every line to its request, job and transaction, and never carry a secret.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { spawnChronos, stopChronos, type ChronosProcess } from '../support/processes.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { deriveOwnerPrivateKey } from '../../src/accounts/derive-owner.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';
import { createRemoteActor, mintRemote, remote, waitForTerminalRemote, waitUntilServing, type Remote, type RemoteActor } from './support/remote.js';
import { parsePrometheus, sampleValue } from './support/prometheus.js';
import { createLogger } from '../../src/observability/logger.js';

type LogLine = Record<string, any>;

let t: TestApp;
let receiver: Receiver;
let apiProcess: ChronosProcess;
let workerProcess: ChronosProcess;
let api: Remote;
let metricsUrl: string;
let actor: RemoteActor;
let exits: { code: number | null; signal: NodeJS.Signals | null }[];
let lines: LogLine[];
let raw: string;
const USER = 'log-walkthrough-user';

beforeAll(async () => {
  receiver = await startReceiver();
  // The first delivery attempt fails, so the retry path logs too.
  receiver.answerOn('/hooks', (_request, index) => (index === 0 ? { status: 500 } : { status: 204 }));
  t = await createTestApp();
  const [apiPort, metricsPort] = await getFreePorts(2);
  const env = {
    ...t.env,
    LOG_LEVEL: 'debug',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    METRICS_PORT: String(metricsPort),
    DEPLOYER_PRIVATE_KEY: EMBEDDED_DEPLOYER_PRIVATE_KEY,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_BASE_MS: '50',
  };
  apiProcess = spawnChronos('api', { ...env, METRICS_PORT: '' }); // its metrics stay on the API port
  workerProcess = spawnChronos('worker', env);
  api = remote(`http://127.0.0.1:${apiPort}`);
  metricsUrl = `http://127.0.0.1:${metricsPort}`;
  await waitUntilServing(`${api.baseUrl}/healthz`, { output: apiProcess.output });
  await waitUntilServing(`${metricsUrl}/healthz`, { output: workerProcess.output });

  actor = await createRemoteActor(t, api, { webhookUrl: receiver.url('/hooks') });
  await walkThrough();
  await receiver.waitFor(3, { path: '/hooks' }); // two events, the first one twice

  // The worker serves its own probes and metrics (it has no API port).
  expect((await fetch(`${metricsUrl}/readyz`)).status).toBe(200);
  const metrics = parsePrometheus(await (await fetch(`${metricsUrl}/metrics`)).text());
  expect(sampleValue(metrics, 'chronos_jobs_total', { task: 'submit_transaction', outcome: 'success' })).toBe(2);
  expect((await fetch(`${metricsUrl}/api/v1/wallet/balance`)).status).toBe(404);

  exits = await Promise.all([stopChronos(apiProcess).then(() => apiProcess.exited), stopChronos(workerProcess).then(() => workerProcess.exited)]);
  raw = apiProcess.output() + workerProcess.output();
  lines = raw
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}, 120_000);
afterAll(async () => {
  await Promise.all([apiProcess && stopChronos(apiProcess), workerProcess && stopChronos(workerProcess)]);
  await receiver?.close();
  await t?.close();
});

async function walkThrough(): Promise<void> {
  const { clientId, clientSecret } = actor.client;
  // Failures that carry secrets in what the caller sent.
  expect((await api.call('POST', '/api/v1/auth/token', { body: { clientId, clientSecret: `${clientSecret}x` } })).status).toBe(401);
  const broken = await fetch(`${api.baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: `{"clientId":"${clientId}","clientSecret":"${clientSecret}"`,
  });
  expect(broken.status).toBe(400);
  expect((await api.call('GET', '/api/v1/wallet/balance', { token: `${actor.token.slice(0, -4)}AAAA`, userId: USER })).status).toBe(401);

  const wallet = await api.call('POST', '/api/v1/wallet/create', { token: actor.token, userId: USER, headers: { 'x-request-id': 'walkthrough-wallet' } });
  expect(wallet.status).toBe(200);
  expect(wallet.headers.get('x-request-id')).toBe('walkthrough-wallet');
  await mintRemote(t, api, actor, USER, '5');
  const transfer = await api.call('POST', '/api/v1/wallet/transfer', {
    token: actor.token,
    userId: USER,
    headers: { 'x-idempotency-key': 'walkthrough-transfer' },
    body: { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1.5' },
  });
  expect(transfer.status).toBe(202);
  expect((await waitForTerminalRemote(api, actor, transfer.body.transactionId)).status).toBe('CONFIRMED');
  const balance = await api.call('GET', '/api/v1/wallet/balance', { token: actor.token, userId: USER });
  expect(balance.body.balance).toBe('3.5');
  expect((await api.call('GET', '/api/v1/webhooks/deliveries', { token: actor.token })).status).toBe(200);
}

describe('logs of a walk-through through separate api and worker processes', () => {
  it('both processes stopped cleanly on SIGTERM', () => {
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it('are JSON lines, one access line per request with route, status, duration, request id, client and user', () => {
    expect(lines.length).toBeGreaterThan(20);
    const access = lines.filter((l) => l.msg === 'request');
    const wallet = access.find((l) => l.requestId === 'walkthrough-wallet');
    expect(wallet).toMatchObject({
      method: 'POST',
      route: '/api/v1/wallet/create',
      status: 200,
      clientId: actor.client.clientId,
      userId: USER,
      ms: expect.any(Number),
    });
    for (const line of access)
      expect(line).toEqual(expect.objectContaining({ requestId: expect.any(String), route: expect.any(String), ms: expect.any(Number) }));
    expect(access.find((l) => l.route === '/api/v1/auth/token' && l.status === 401)).toMatchObject({ clientId: actor.client.clientId });
  });

  it('tie every line about a job or a webhook attempt to its job or delivery, and its transaction', () => {
    const jobLines = lines.filter((l) => l.jobId !== undefined);
    expect(jobLines.length).toBeGreaterThan(0);
    for (const line of jobLines) expect(line.transactionId ?? line.deliveryId).toBeDefined();
    const submitted = jobLines.filter((l) => l.task === 'submit_transaction' || (l.transactionId && !l.deliveryId));
    expect(submitted.length).toBeGreaterThan(0);
    for (const line of submitted) expect(line.transactionId).toMatch(/^tx_/);
    // A webhook's first attempt is made by the worker that settled its transaction, as the status
    // commits; the retry after the receiver's 500 by the delivery job.
    const deliveries = lines.filter((l) => l.msg?.startsWith('webhook'));
    expect(deliveries.map((l) => l.msg)).toEqual(expect.arrayContaining(['webhook attempt failed; will retry', 'webhook delivered']));
    for (const line of deliveries) expect(line).toMatchObject({ deliveryId: expect.any(String), transactionId: expect.stringMatching(/^tx_/) });
    const retry = deliveries.filter(
      (l) => l.msg === 'webhook delivered' && l.deliveryId === deliveries.find((f) => f.msg === 'webhook attempt failed; will retry')!.deliveryId,
    );
    expect(retry).toEqual([expect.objectContaining({ jobId: expect.any(String) })]);
  });

  it('never contain a client secret, webhook secret, JWT, private key, MASTER_KEY or JWT_SECRET', () => {
    const hex = (key: string) => [key, key.slice(2)];
    const secrets: Record<string, string[]> = {
      clientSecret: [actor.client.clientSecret],
      webhookSecret: [actor.client.webhookSecret, actor.client.webhookSecret.slice('whsec_'.length)],
      jwt: [actor.token, actor.token.split('.')[2]],
      signerPrivateKey: hex(actor.signerKey),
      ownerPrivateKey: hex(deriveOwnerPrivateKey(t.env.MASTER_KEY as `0x${string}`, { clientId: actor.client.clientId, userId: USER })),
      MASTER_KEY: hex(t.env.MASTER_KEY),
      JWT_SECRET: [t.env.JWT_SECRET],
      DEPLOYER_PRIVATE_KEY: hex(EMBEDDED_DEPLOYER_PRIVATE_KEY),
    };
    const haystack = raw.toLowerCase();
    const found = Object.entries(secrets)
      .filter(([, values]) => values.some((v) => haystack.includes(v.toLowerCase())))
      .map(([name]) => name);
    expect(found).toEqual([]);
    // The logs did follow the operations, just not their secrets.
    expect(lines.filter((l) => l.msg === 'transaction settled on-chain' && l.status === 'CONFIRMED')).toHaveLength(2);
  });
});

describe('the logger', () => {
  it('scrubs secrets from every line, whatever field or message they hide in', () => {
    const masterKey = `0x${'ab12'.repeat(16)}`;
    const jwtSecret = 'a-jwt-secret-that-is-long-enough-for-hs256!';
    const clientSecret = `sk_${'Zz9-'.repeat(11)}`;
    const webhookSecret = `whsec_${'QUJD'.repeat(11)}`;
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnRfMSJ9.${'s1gnature_'.repeat(4)}`;
    const written: string[] = [];
    const logger = createLogger({ level: 'info', secrets: [masterKey, jwtSecret], destination: { write: (line: string) => void written.push(line) } });
    logger.error(
      {
        err: new Error(`signing with ${masterKey.slice(2).toUpperCase()} failed`, { cause: new Error(`secret was ${jwtSecret}`) }),
        deep: { inside: { note: `client sent ${clientSecret} and ${webhookSecret}` } },
        headers: { authorization: `Bearer ${jwt}` },
        forwarded: `Bearer ${jwt}`,
      },
      `request with ${clientSecret}`,
    );
    const line = written.join('');
    expect(JSON.parse(line)).toMatchObject({ level: 50, headers: { authorization: '[redacted]' } });
    for (const secret of [masterKey.slice(2), jwtSecret, clientSecret, webhookSecret, jwt]) expect(line.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(line).toContain('signing with [redacted] failed');
  });
});
