// Failed authentication is limited per source address, so that guessing is bounded while nobody can
// lock a client out by knowing its clientId. POST /auth/token counts failures (5 per 5 minutes) per
// clientId and address, and every failure per address (50, whatever clientId it names); a request
// with a bad Bearer token counts per address too (100 401s, then 429). Requests come from several
// loopback addresses (127.0.0.x) to a real listening server, so the addresses really differ.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { sql } from 'kysely';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { listen, type RunningServer } from '../../src/runtime/http-server.js';

let t: TestApp;
let server: RunningServer;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '' } });
  server = await listen(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

type Answer = { status: number; headers: IncomingHttpHeaders; body: { error?: string; code?: string; token?: string } };

/** One request sent from the loopback address `from` (each test uses its own 127.0.0.x). */
function send(
  from: string,
  { method = 'POST', path, body, headers = {} }: { method?: string; path: string; body?: object; headers?: Record<string, string> },
): Promise<Answer> {
  const data = body === undefined ? '' : JSON.stringify(body);
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        localAddress: from,
        headers: { ...(body !== undefined && { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) }), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const askToken = (from: string, body: object) => send(from, { path: '/api/v1/auth/token', body });
const rightSecret = (c: TestClient) => ({ clientId: c.clientId, clientSecret: c.clientSecret });
const wrongSecret = (c: TestClient, i: number) => ({ clientId: c.clientId, clientSecret: `sk_guess_${i}` });
const expectAnswer = (res: Answer, status: number, code: string) => expectError(res as never, status, code);

describe('token requests', () => {
  it('stop a brute force on one clientId from one address after 5 failures, even with the right secret then', async () => {
    const victim = await t.createClient();
    for (let i = 1; i <= 5; i++) {
      const res = await askToken('127.0.0.2', wrongSecret(victim, i));
      expectAnswer(res, 401, 'INVALID_SECRET');
      expect([res.headers['x-ratelimit-limit'], res.headers['x-ratelimit-remaining']]).toEqual(['5', String(5 - i)]);
    }
    const blocked = await askToken('127.0.0.2', rightSecret(victim));
    expectAnswer(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(600);
  });

  it('when someone else keeps failing on a clientId, the client asking with its right secret from its own address still gets a token', async () => {
    const victim = await t.createClient();
    for (let i = 1; i <= 8; i++) await askToken('127.0.0.3', wrongSecret(victim, i));
    expectAnswer(await askToken('127.0.0.3', wrongSecret(victim, 9)), 429, 'RATE_LIMITED');
    const own = await askToken('127.0.0.4', rightSecret(victim));
    expect(own.status).toBe(200);
    expect(own.headers['x-ratelimit-remaining']).toBe('5');
  });

  it('when they succeed, are not counted: a client may ask for tokens as often as it needs', async () => {
    const client = await t.createClient();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await askToken('127.0.0.5', rightSecret(client))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
    // Its failures still count: 5 of them, and the next request is refused.
    for (let i = 1; i <= 5; i++) expectAnswer(await askToken('127.0.0.5', wrongSecret(client, i)), 401, 'INVALID_SECRET');
    expectAnswer(await askToken('127.0.0.5', rightSecret(client)), 429, 'RATE_LIMITED');
  });

  it('apply the client’s own auth override', async () => {
    const client = await t.createClient({ rateLimits: { auth: 7 } });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await askToken('127.0.0.6', wrongSecret(client, i))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 429]);
  });

  it('with unknown clientIds, are capped per address at 50 failures whatever ids they name, and leave other addresses alone', async () => {
    const unknownId = (i: number) => `client_${i.toString(16).padStart(20, '0')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 52; i++) statuses.push((await askToken('127.0.0.7', { clientId: unknownId(i), clientSecret: 'sk_x' })).status);
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50)).toEqual([429, 429]);
    // The counter rows this address made stay bounded by that cap, not by how many ids it tried.
    const { rows } = await sql<{ n: string }>`select count(*) as n from rate_limit_counters where subject like ${'%@ip:127.0.0.7'}`.execute(t.ctx.db);
    expect(Number(rows[0].n)).toBeLessThanOrEqual(50);
    const client = await t.createClient();
    expect((await askToken('127.0.0.8', rightSecret(client))).status).toBe(200);
  });

  it('with a clientId no client can have, are refused without a lookup or a counter of that id', async () => {
    for (const clientId of ['acme', 'client_0000', `client_${'g'.repeat(20)}`, `CLIENT_${'a'.repeat(20)}`]) {
      expectAnswer(await askToken('127.0.0.9', { clientId, clientSecret: 'sk_x' }), 401, 'INVALID_SECRET');
    }
    const { rows } = await sql<{ subject: string }>`select subject from rate_limit_counters where subject like ${'%127.0.0.9'}`.execute(t.ctx.db);
    expect(rows.map((r) => r.subject)).toEqual(['ip:127.0.0.9']);
  });

  it('without a clientId, are counted per address, apart from every named client', async () => {
    for (let i = 0; i < 5; i++) expectAnswer(await askToken('127.0.0.10', { clientSecret: 'x' }), 400, 'MISSING_CREDENTIALS');
    const res = await askToken('127.0.0.10', {});
    expectAnswer(res, 429, 'RATE_LIMITED');
    expect(res.headers['x-ratelimit-limit']).toBe('5');
    const client = await t.createClient();
    expect((await askToken('127.0.0.10', rightSecret(client))).status).toBe(200);
  });
});

describe('requests with a Bearer token that does not authenticate', () => {
  it('are answered 401 until their address has had 100 of them, then 429; a valid token from there still works', async () => {
    // The header that made the old Bearer regex backtrack quadratically (~130 ms each).
    const pathological = `Bearer a.${'a'.repeat(16_000)}!`;
    const wallet = (authorization: string) =>
      send('127.0.0.11', { path: '/api/v1/wallet/create', headers: { Authorization: authorization, 'X-User-Id': 'alice' } });
    for (let i = 0; i < 100; i++) expectAnswer(await wallet(i % 2 ? pathological : 'Bearer not.a.token'), 401, 'UNAUTHORIZED');
    const refused = await wallet(pathological);
    expectAnswer(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address is not affected, and the limited address's valid requests are not either.
    expectAnswer(
      await send('127.0.0.12', { path: '/api/v1/wallet/create', headers: { Authorization: 'Bearer not.a.token', 'X-User-Id': 'alice' } }),
      401,
      'UNAUTHORIZED',
    );
    const client = await t.createClient();
    const token = (await askToken('127.0.0.11', rightSecret(client))).body.token!;
    expect((await wallet(`Bearer ${token}`)).status).toBe(200);
  });
});
