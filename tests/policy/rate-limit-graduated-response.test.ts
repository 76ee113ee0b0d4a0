// README "Rate limits" over HTTP: rate-limit headers on every answer to an identified caller, a warning from 80 %,
// a 500 ms delay from 90 %, 429 RATE_LIMITED with Retry-After at 100 %, one window per category.
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { setRateLimits } from '../../src/admin/clients.js';

let t: TestApp;
// The documented defaults, not the test harness's generous ones.
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '' }, clientCacheTtlMs: 50 });
});
afterAll(() => t.close());

const MISSING_TX = '/api/v1/transactions/tx_00000000000000000000000000';

function expectLimitHeaders(res: request.Response, { limit, remaining }: { limit: number; remaining: number }) {
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe(String(remaining));
  const reset = Number(res.headers['x-ratelimit-reset']);
  expect(Number.isInteger(reset)).toBe(true);
  expect(reset).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
}

describe('the graduated response', () => {
  it('warns from 80 %, delays from 90 %, refuses at 100 % with Retry-After', async () => {
    const token = await t.tokenFor(await t.createClient({ rateLimits: { general: 10 } }));
    for (let i = 1; i <= 10; i++) {
      const started = performance.now();
      const res = await request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${token}`);
      const took = performance.now() - started;
      // Counted and answered (here a 404: the headers ride on error answers too).
      expectError(res, 404, 'TRANSACTION_NOT_FOUND');
      expectLimitHeaders(res, { limit: 10, remaining: 10 - i });
      expect({ i, warning: res.headers['x-ratelimit-warning'] !== undefined }).toEqual({ i, warning: i >= 8 });
      expect({ i, delayed: res.headers['x-ratelimit-delayed'] }).toEqual({ i, delayed: i >= 9 ? '500' : undefined });
      if (i >= 9) expect(took).toBeGreaterThanOrEqual(450);
    }
    const refused = await request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${token}`);
    expectError(refused, 429, 'RATE_LIMITED');
    expectLimitHeaders(refused, { limit: 10, remaining: 0 });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-warning']).toMatch(/100% of the general rate limit \(10 per 60s\) used/);
    expect(refused.headers['x-ratelimit-delayed']).toBeUndefined();
  });

  it('puts the headers on validation errors and scope refusals too', async () => {
    const token = await t.tokenFor(await t.createClient({ scopes: ['wallet'] }));
    const invalid = await request(t.app).post('/api/v1/mint/prepare').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1').send({});
    expectError(invalid, 400, 'VALIDATION_ERROR');
    expectLimitHeaders(invalid, { limit: 10, remaining: 9 });
    const forbidden = await request(t.app)
      .post('/api/v1/mint/prepare')
      .set('Authorization', `Bearer ${token}`)
      .set('X-User-Id', 'u1')
      .send({ receiptId: 'r1', userAddress: '0x00000000000000000000000000000000000000aa' });
    expectError(forbidden, 403, 'FORBIDDEN');
    expectLimitHeaders(forbidden, { limit: 10, remaining: 8 });
  });
});

describe('categories', () => {
  it('counts mint prepare and execute against minting, webhook deliveries against external, the rest against general', async () => {
    const token = await t.tokenFor(await t.createClient({ rateLimits: { minting: 2 } }));
    const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`).set('X-User-Id', 'u1');
    const prepare = () =>
      auth(request(t.app).post('/api/v1/mint/prepare')).send({ receiptId: 'r1', userAddress: '0x00000000000000000000000000000000000000aa' });
    expectLimitHeaders(await prepare(), { limit: 2, remaining: 1 });
    expectLimitHeaders(await auth(request(t.app).post('/api/v1/mint/execute')).send({}), { limit: 2, remaining: 0 });
    expectError(await prepare(), 429, 'RATE_LIMITED');
    // The other categories are untouched.
    expectLimitHeaders(await auth(request(t.app).get('/api/v1/wallet/balance')), { limit: 100, remaining: 99 });
    expectLimitHeaders(await auth(request(t.app).get('/api/v1/webhooks/deliveries')), { limit: 30, remaining: 29 });
  });

  it('gives each client its own window, raised per client by its override', async () => {
    const small = await t.tokenFor(await t.createClient({ rateLimits: { general: 1 } }));
    const other = await t.tokenFor(await t.createClient());
    expect((await request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${small}`)).status).toBe(404);
    expectError(await request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${small}`), 429, 'RATE_LIMITED');
    expectLimitHeaders(await request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${other}`), { limit: 100, remaining: 99 });
  });

  it('applies a limit raised with `chronos clients set-rate-limit` at once, counting what was already used', async () => {
    const client = await t.createClient({ rateLimits: { general: 2 } });
    const token = await t.tokenFor(client);
    const get = () => request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${token}`);
    await get();
    await get();
    expectError(await get(), 429, 'RATE_LIMITED');
    await setRateLimits(t.ctx.db, client.clientId, { general: 500 });
    await new Promise((r) => setTimeout(r, 100)); // the app caches a client for 50 ms here
    expectLimitHeaders(await get(), { limit: 500, remaining: 497 });
  });

  it('sends no rate-limit headers when the caller is unknown (no valid token)', async () => {
    const res = await request(t.app).get(MISSING_TX).set('Authorization', 'Bearer not.a.token');
    expectError(res, 401, 'UNAUTHORIZED');
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });
});
