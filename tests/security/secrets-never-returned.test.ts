// Secrets leave Chronos once: the client secret and webhook secret when the operator creates or
// rotates them, an access token when a client asks for one. No API answer, success or error, and no
// other CLI output carries them afterwards, nor the secret's hash, nor the deployment's own keys.
// (tests/cli/clients.test.ts checks `clients list/show --json` right after `create`.)
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { runChronosCli } from '../support/cli.js';
import { endTransaction } from '../webhooks/support/deliveries.js';
import { findClient } from '../../src/db/clients.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t, { webhookUrl: 'http://127.0.0.1:9/hooks' });
  await createWallet(t, actor, 'alice');
});
afterAll(() => t.close());

async function secretsOf(clientId: string, known: Record<string, string>): Promise<Record<string, string>> {
  const row = await findClient(t.ctx.db, clientId);
  return {
    ...known,
    'client secret hash': row!.secret_hash,
    'stored webhook secret': row!.webhook_secret,
    MASTER_KEY: t.config.masterKey.slice(2),
    JWT_SECRET: t.config.jwt.secret,
  };
}

const leakedIn = (text: string, secrets: Record<string, string>) =>
  Object.entries(secrets)
    .filter(([, value]) => text.toLowerCase().includes(value.toLowerCase()))
    .map(([name]) => name)
    // Any stored hash or webhook secret, not only this client's (the docs may mention the `whsec_` prefix).
    .concat(/scrypt\$\d+\$|whsec_[A-Za-z0-9+/]{20,}/.test(text) ? ['something shaped like a secret'] : []);

it('no API answer carries a secret: token requests that work and fail, every read, the queued webhooks, errors', async () => {
  const { clientId, clientSecret, webhookSecret } = actor.client;
  const { deliveryId, transactionId } = await endTransaction(t.ctx.db, { clientId, userId: 'alice', to: 'FAILED' });
  await t.ctx.db.updateTable('webhook_deliveries').set({ status: 'FAILED' }).where('id', '=', deliveryId!).execute();
  const token = (body: object) => request(t.app).post('/api/v1/auth/token').send(body);
  const answers = await Promise.all([
    token({ clientId, clientSecret }),
    token({ clientId, clientSecret: `${clientSecret}x` }),
    token({ clientId: clientSecret, clientSecret }),
    token({ clientId }),
    token({ clientSecret }),
    api(t, actor, 'alice').post('/api/v1/wallet/create'),
    api(t, actor, 'alice').get('/api/v1/wallet/balance'),
    api(t, actor, 'alice').get('/api/v1/quota/check'),
    api(t, actor).get(`/api/v1/transactions/${transactionId}`),
    api(t, actor).get('/api/v1/webhooks/deliveries'),
    api(t, actor).post(`/api/v1/webhooks/deliveries/${deliveryId}/redeliver`),
    api(t, actor).post('/api/v1/webhooks/test'),
    request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${actor.token}x`).set('X-User-Id', 'alice'),
    request(t.app).get('/openapi.json'),
    request(t.app).get('/healthz'),
    request(t.app).get('/readyz'),
    request(t.app).get('/metrics'),
    request(t.app).get('/docs'),
  ]);
  const secrets = await secretsOf(clientId, { 'client secret': clientSecret, 'webhook secret': webhookSecret, 'webhook signing key': webhookSecret.slice(6) });
  answers.forEach((res, i) => {
    const text = `${JSON.stringify(res.headers)}\n${res.text ?? ''}`;
    expect({ answer: i, status: res.status, leaked: leakedIn(text, secrets) }).toEqual({ answer: i, status: res.status, leaked: [] });
  });
  // The token answer is exactly a token and its lifetime: the secret is not echoed back.
  expect(Object.keys(answers[0].body).sort()).toEqual(['expiresIn', 'token']);
});

it('the CLI shows the new secrets only in the answer to a rotation, never in show or list, human or --json', async () => {
  const env = { ...t.env, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' };
  const { clientId } = actor.client;
  const [rotated, rotatedHook] = await Promise.all([
    runChronosCli(['clients', 'rotate-secret', clientId, '--json'], env),
    runChronosCli(['clients', 'rotate-webhook-secret', clientId, '--json'], env),
  ]);
  expect(rotated.json.clientSecret).toMatch(/^sk_/);
  expect(rotatedHook.json.webhookSecret).toMatch(/^whsec_/);
  const secrets = await secretsOf(clientId, {
    'old client secret': actor.client.clientSecret,
    'new client secret': rotated.json.clientSecret,
    'old webhook secret': actor.client.webhookSecret,
    'new webhook secret': rotatedHook.json.webhookSecret,
  });
  const runs = await Promise.all([
    runChronosCli(['clients', 'show', clientId], env),
    runChronosCli(['clients', 'show', clientId, '--json'], env),
    runChronosCli(['clients', 'list'], env),
    runChronosCli(['clients', 'list', '--json'], env),
  ]);
  for (const run of runs) {
    expect(run.code).toBe(0);
    expect(leakedIn(`${run.stdout}\n${run.stderr}`, secrets)).toEqual([]);
  }
}, 60_000);
