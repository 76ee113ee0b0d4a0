// POST /auth/token is limited to 5 attempts per 5 minutes per clientId given: guessing one client's
// secret is stopped without locking out any other client.
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '' } }); });
afterAll(() => t.close());

const askToken = (body: object) => request(t.app).post('/api/v1/auth/token').send(body);

describe('token requests per clientId', () => {
  it('stops a brute force on one clientId after 5 attempts, even with the right secret then, and leaves other clients alone', async () => {
    const victim = await t.createClient();
    const bystander = await t.createClient();
    for (let i = 1; i <= 5; i++) {
      const res = await askToken({ clientId: victim.clientId, clientSecret: `sk_guess_${i}` });
      expectError(res, 401, 'INVALID_SECRET');
      expect([res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']]).toEqual(['5', String(5 - i)]);
    }
    const blocked = await askToken({ clientId: victim.clientId, clientSecret: victim.clientSecret });
    expectError(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(600);

    const other = await askToken({ clientId: bystander.clientId, clientSecret: bystander.clientSecret });
    expect(other.status).toBe(200);
    expect(other.headers['x-ratelimit-remaining']).toBe('4');
  });

  it('counts successful requests too', async () => {
    const client = await t.createClient();
    for (let i = 0; i < 5; i++) expect((await askToken({ clientId: client.clientId, clientSecret: client.clientSecret })).status).toBe(200);
    expectError(await askToken({ clientId: client.clientId, clientSecret: client.clientSecret }), 429, 'RATE_LIMITED');
  });

  it('applies the client’s own auth override', async () => {
    const client = await t.createClient({ rateLimits: { auth: 7 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await askToken({ clientId: client.clientId, clientSecret: client.clientSecret })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429]);
  });

  it('counts requests without a clientId per address, apart from every named client', async () => {
    for (let i = 0; i < 5; i++) expectError(await askToken({ clientSecret: 'x' }), 400, 'MISSING_CREDENTIALS');
    const res = await askToken({});
    expectError(res, 429, 'RATE_LIMITED');
    expect(res.headers['x-ratelimit-limit']).toBe('5');
    const client = await t.createClient();
    expect((await askToken({ clientId: client.clientId, clientSecret: client.clientSecret })).status).toBe(200);
  });
});
