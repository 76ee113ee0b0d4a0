// Nothing secret reaches a log line. The app and an in-process worker log at debug level, configured
// as in production, into a captured stream, through a whole walk-through: token requests that work and
// ones that fail (wrong secret, the secret in the wrong field, in a body too large or not JSON), forged
// tokens and a token in the query string, a mint signed by the client's signer and executed with the
// user's derived key, a transfer, and signed webhooks. Then every line is searched for every secret.
import request from 'supertest';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, testEnvironment, type TestApp } from '../support/test-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createConfiguredLogger } from '../../src/runtime/services.js';
import { api, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { deriveOwnerPrivateKey } from '../../src/accounts/derive-owner.js';
import { findClient } from '../../src/db/clients.js';
import { captureLogs } from './support/captured-logs.js';

const logs = captureLogs();
let t: TestApp;
let receiver: Receiver;
let actor: Actor;
let signerKey: Hex;
const tokens: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({
    worker: true,
    logDestination: logs.destination,
    env: { LOG_LEVEL: 'debug', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20' },
  });
  signerKey = generatePrivateKey();
  const signer = privateKeyToAccount(signerKey);
  const client = await t.createClient({ signerAddress: signer.address, webhookUrl: receiver.url('/hooks') });
  actor = { client, signer, token: await t.tokenFor(client) };
  tokens.push(actor.token);
}, 60_000);
afterAll(async () => {
  await t.close();
  await receiver.close();
});

it('walks through failing and working requests, a mint, a transfer and webhooks without logging a secret', async () => {
  const { clientId, clientSecret } = actor.client;
  const token = (body: unknown, contentType = 'application/json') =>
    request(t.app)
      .post('/api/v1/auth/token')
      .set('Content-Type', contentType)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  // Token requests that fail, each carrying the secret somewhere.
  await token({ clientId, clientSecret: `${clientSecret}x` });
  await token({ clientId: 'client_0000', clientSecret });
  await token({ clientId: clientSecret, clientSecret });
  await token(`{"clientId":"${clientId}","clientSecret":"${clientSecret}"`);
  await token({ clientId, clientSecret, padding: 'p'.repeat(70_000) });
  await token(`clientId=${clientId}&clientSecret=${clientSecret}`, 'application/x-www-form-urlencoded');
  tokens.push((await token({ clientId, clientSecret })).body.token);
  // Tokens that do not work: edited, in the query string, under another scheme.
  await request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${actor.token}x`).set('X-User-Id', 'alice');
  await request(t.app).post(`/api/v1/wallet/create?access_token=${actor.token}`).set('X-User-Id', 'alice');
  await request(t.app)
    .post('/api/v1/wallet/create')
    .set('Authorization', `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`)
    .set('X-User-Id', 'alice');

  // The real thing: a mint (signed by the client's signer, sent with the user's derived key), a transfer, webhooks.
  await createWallet(t, actor, 'alice');
  await fund(t, actor, 'alice', '10');
  const transfer = await api(t, actor, 'alice').post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });
  expect((await waitForTerminal(t, actor, transfer.body.transactionId)).status).toBe('CONFIRMED');
  expect((await api(t, actor).post('/api/v1/webhooks/test')).status).toBe(202);
  await receiver.waitFor(3, { path: '/hooks' });

  const row = await findClient(t.ctx.db, clientId);
  const secrets: Record<string, string> = {
    'client secret': clientSecret,
    'client secret hash': row!.secret_hash,
    'webhook secret': actor.client.webhookSecret,
    'webhook signing key': actor.client.webhookSecret.replace(/^whsec_/, ''),
    MASTER_KEY: t.config.masterKey,
    'MASTER_KEY without 0x': t.config.masterKey.slice(2),
    JWT_SECRET: t.config.jwt.secret,
    'signer key': signerKey.slice(2),
    "alice's derived owner key": deriveOwnerPrivateKey(t.config.masterKey, { clientId, userId: 'alice' }).slice(2),
    ...Object.fromEntries(tokens.map((jwt, i) => [`access token ${i + 1}`, jwt])),
    ...Object.fromEntries(tokens.map((jwt, i) => [`signature of access token ${i + 1}`, jwt.split('.')[2]])),
  };
  // The capture works and saw the walk-through, at debug level too.
  expect(logs.lines.length).toBeGreaterThan(30);
  expect(logs.lines.some((line) => JSON.parse(line).level === 20)).toBe(true);
  const text = logs.text().toLowerCase();
  const leaked = Object.entries(secrets)
    .filter(([, value]) => text.includes(value.toLowerCase()))
    .map(([name]) => name);
  expect(leaked).toEqual([]);
}, 120_000);

// "30" and "msg" also spell a pino level and a key: scrubbing them must not break the line's JSON.
it.each(['pw', 'pg-pw1', 'short-password', '30', 'msg'])('scrubs a database password as short as %j from every line, which stays valid JSON', (password) => {
  const url = `postgres://chronos:${password}@127.0.0.1:5432/chronos`;
  const written: string[] = [];
  const logger = createConfiguredLogger(parseConfig(testEnvironment(url, { LOG_LEVEL: 'info' }), 'external'), {
    destination: { write: (line: string) => void written.push(line) },
  });
  logger.error({ err: new Error(`connect to ${url} failed`), databaseUrl: url }, `database unreachable (${password})`);
  const text = written.join('');
  expect(text).toContain('database unreachable');
  expect(text).not.toContain(`:${password}@`);
  expect(text).not.toContain(`(${password})`);
  const lines = written
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { level: number; msg: string });
  expect(lines.map((line) => [line.level, line.msg])).toEqual([[50, 'database unreachable ([redacted])']]);
});
