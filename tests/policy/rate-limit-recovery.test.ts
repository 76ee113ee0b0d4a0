// Over HTTP with short windows (RATE_LIMIT_WINDOW_SCALE): the window slides across the boundary where
// a fixed window would reset, and a refused client is let through again after Retry-After — retrying
// while refused does not keep it locked out.
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';

/** general: 60 s × 1/30 = a 2 s window. */
const WINDOW_MS = 2_000;
const MISSING_TX = '/api/v1/transactions/tx_00000000000000000000000000';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '', RATE_LIMIT_WINDOW_SCALE: String(1 / 30) } });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until the given fraction of a window (windows are aligned to the epoch, on the database's clock = ours). */
async function waitForWindowPhase(phase: number): Promise<void> {
  const at = Date.now() % WINDOW_MS;
  const target = phase * WINDOW_MS;
  await sleep(target > at ? target - at : WINDOW_MS - at + target);
}

describe('a short window over HTTP', () => {
  let token: string;
  const get = () => request(t.app).get(MISSING_TX).set('Authorization', `Bearer ${token}`);
  beforeEach(async () => {
    token = await t.tokenFor(await t.createClient({ rateLimits: { general: 3 } }));
  });

  it('is still full just after the boundary where a fixed window would have reset', async () => {
    await waitForWindowPhase(0.5);
    for (let i = 0; i < 3; i++) expect((await get()).status).toBe(404);
    await waitForWindowPhase(0.1);
    // A new fixed window would let 3 through; the last 2 s still hold ~2.7 requests.
    const res = await get();
    expectError(res, 429, 'RATE_LIMITED');
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('lets a refused client through again after Retry-After, however often it retried meanwhile', async () => {
    for (let i = 0; i < 3; i++) expect((await get()).status).toBe(404);
    const refused = await get();
    expectError(refused, 429, 'RATE_LIMITED');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(4);
    // Hammering while refused is answered 429 and not counted.
    const hammered = await Promise.all(Array.from({ length: 20 }, () => get()));
    expect(hammered.every((r) => r.status === 429)).toBe(true);
    await sleep(retryAfter * 1000);
    expect((await get()).status).toBe(404);
  });

  it('frees completely by X-RateLimit-Reset', async () => {
    let last: request.Response | undefined;
    for (let i = 0; i < 3; i++) last = await get();
    const reset = Number(last!.headers['x-ratelimit-reset']);
    expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(2 * WINDOW_MS + 1_000);
    await sleep(Math.max(0, reset * 1000 - Date.now()) + 50);
    const fresh = await get();
    expect(fresh.status).toBe(404);
    expect(fresh.headers['x-ratelimit-remaining']).toBe('2');
  });
});
