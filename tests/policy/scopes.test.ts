// README, API: every endpoint needs its scope (403 FORBIDDEN without it); transactions, quota and webhook
// deliveries need only a valid token.
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { SCOPES, type Scope } from '../../src/auth/scopes.js';

let t: TestApp;
const ADDRESS = '0x00000000000000000000000000000000000000aa';
const SIGNATURE = `0x${'11'.repeat(65)}`;

beforeAll(async () => {
  t = await createTestApp({ clientCacheTtlMs: 50 });
});
afterAll(() => t.close());

/** A token of a client holding every scope except `missing`. */
async function tokenWithout(missing: Scope | 'all'): Promise<string> {
  const scopes = missing === 'all' ? [] : SCOPES.filter((s) => s !== missing);
  return t.tokenFor(await t.createClient({ scopes }));
}

// Well-formed requests, so that only the scope can refuse them.
const calls: { scope: Scope; name: string; send: (token: string) => request.Test }[] = [
  {
    scope: 'wallet',
    name: 'POST /wallet/create',
    send: (token) => request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1'),
  },
  {
    scope: 'wallet',
    name: 'GET /wallet/balance',
    send: (token) => request(t.app).get('/api/v1/wallet/balance').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1'),
  },
  {
    scope: 'wallet',
    name: 'GET /wallets/connect/nonce',
    send: (token) => request(t.app).get(`/api/v1/wallets/connect/nonce?address=${ADDRESS}`).set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1'),
  },
  {
    scope: 'wallet',
    name: 'POST /wallets/disconnect',
    send: (token) =>
      request(t.app).post('/api/v1/wallets/disconnect').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1').send({ address: ADDRESS }),
  },
  {
    scope: 'mint',
    name: 'POST /mint/prepare',
    send: (token) =>
      request(t.app)
        .post('/api/v1/mint/prepare')
        .set('Authorization', `Bearer ${token}`)
        .set('X-User-Id', 'u1')
        .send({ receiptId: 'r-1', userAddress: ADDRESS }),
  },
  {
    scope: 'mint',
    name: 'POST /mint/execute',
    send: (token) =>
      request(t.app)
        .post('/api/v1/mint/execute')
        .set('Authorization', `Bearer ${token}`)
        .set('X-User-Id', 'u1')
        .send({ receiptId: 'r-1', amount: '1', signature: SIGNATURE, expiryBlock: '100', nonce: '0' }),
  },
  {
    scope: 'transfer',
    name: 'POST /wallet/transfer',
    send: (token) =>
      request(t.app).post('/api/v1/wallet/transfer').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1').send({ to: ADDRESS, amount: '1' }),
  },
  {
    scope: 'claim',
    name: 'POST /claims/execute',
    send: (token) =>
      request(t.app).post('/api/v1/claims/execute').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1').send({ claimId: 'c-1', amount: '1' }),
  },
];

describe('an endpoint refuses a token without its scope', () => {
  let fullToken: string;
  beforeAll(async () => {
    fullToken = await t.tokenFor(await t.createClient());
  });

  it.each(calls.map((c) => [c.name, c.scope, c] as const))('%s needs the %s scope: 403 FORBIDDEN naming it', async (_name, scope, call) => {
    const res = await call.send(await tokenWithout(scope));
    expectError(res, 403, 'FORBIDDEN');
    expect(res.body.error).toContain(`'${scope}'`);
    // The same request with every scope gets past the scope check (and fails later, or succeeds).
    expect((await call.send(fullToken)).status).not.toBe(403);
  });

  it('a scope removed from the client after the token was issued stops working too', async () => {
    const client = await t.createClient({ scopes: ['wallet'] });
    const token = await t.tokenFor(client);
    await t.ctx.db
      .updateTable('clients')
      .set({ scopes: ['mint'] })
      .where('id', '=', client.clientId)
      .execute();
    await new Promise((r) => setTimeout(r, 100)); // the app's client cache keeps a client 50 ms here
    expectError(await calls[0].send(token), 403, 'FORBIDDEN');
  });
});

describe('transactions, quota and webhook deliveries need only a valid token', () => {
  let token: string;
  beforeAll(async () => {
    token = await tokenWithout('all');
  });

  it('GET /transactions/{id} with a scopeless token answers for the transaction (here: not found), not 403', async () => {
    const res = await request(t.app).get('/api/v1/transactions/tx_00000000000000000000000000').set('Authorization', `Bearer ${token}`);
    expectError(res, 404, 'TRANSACTION_NOT_FOUND');
  });

  it('GET /quota/check with a scopeless token answers for the policy (here: none), not 403', async () => {
    const res = await request(t.app).get('/api/v1/quota/check').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1');
    expectError(res, 404, 'POLICY_NOT_FOUND');
  });

  it('GET /webhooks/deliveries with a scopeless token is not refused', async () => {
    const res = await request(t.app).get('/api/v1/webhooks/deliveries').set('Authorization', `Bearer ${token}`);
    expect([401, 403]).not.toContain(res.status);
  });

  it('without a token they are 401 UNAUTHORIZED', async () => {
    expectError(await request(t.app).get('/api/v1/quota/check').set('X-User-Id', 'u1'), 401, 'UNAUTHORIZED');
    expectError(await request(t.app).get('/api/v1/webhooks/deliveries'), 401, 'UNAUTHORIZED');
  });
});
