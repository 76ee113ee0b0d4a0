// The sliding-window counter: the arithmetic behind the headers (pure, any clock), and the one SQL
// statement that decides, driven with an injected clock so the window's movement is exact.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { hitRateLimitCounter, pruneRateLimitCounters } from '../../src/db/rate-limit-counters.js';
import { nextAdmissionMs, reportWindow } from '../../src/policy/sliding-window.js';

const MINUTE = 60_000;
/** A minute boundary well in the past, so injected times never meet the real clock. */
const T0 = Math.floor(1_700_000_000_000 / MINUTE) * MINUTE;

describe('window arithmetic (what the headers say)', () => {
  it('counts the previous window by the share of it still inside the sliding window', () => {
    // 25 % into the window: 2 now + 8 × 0.75 before = 8 of 10 used.
    const report = reportWindow({ limit: 10, windowMs: MINUTE, windowStartMs: T0, nowMs: T0 + 15_000, current: 2, previous: 8 });
    expect(report).toEqual({ remaining: 2, used: 8, resetAt: (T0 + 2 * MINUTE) / 1000, retryAfterSeconds: 0 });
  });

  it('frees completely one window after the last counted request’s window ends', () => {
    expect(reportWindow({ limit: 10, windowMs: MINUTE, windowStartMs: T0, nowMs: T0 + 1, current: 0, previous: 3 }).resetAt).toBe((T0 + MINUTE) / 1000);
    expect(reportWindow({ limit: 10, windowMs: MINUTE, windowStartMs: T0, nowMs: T0 + 1, current: 0, previous: 0 }).resetAt).toBe(Math.ceil((T0 + 1) / 1000));
  });

  it('when the previous window is what fills it, retry once enough of it has slid out', () => {
    // 4 now + 10 × 0.9 before = 13 > 10; at half-time 4 + 5 leaves room for one.
    const c = { limit: 10, windowMs: MINUTE, windowStartMs: T0, nowMs: T0 + 6_000, current: 4, previous: 10 };
    expect(nextAdmissionMs(c)).toBe(T0 + 30_000);
    expect(reportWindow(c)).toMatchObject({ remaining: 0, retryAfterSeconds: 24 });
  });

  it('when this window alone is full, retry once it has slid far enough into the next', () => {
    const c = { limit: 10, windowMs: MINUTE, windowStartMs: T0, nowMs: T0 + 30_000, current: 10, previous: 0 };
    expect(nextAdmissionMs(c)).toBe(T0 + MINUTE + 6_000);
    expect(reportWindow(c)).toMatchObject({ remaining: 0, used: 10, retryAfterSeconds: 36 });
  });
});

describe('the counter statement in Postgres', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(() => t.close());

  let n = 0;
  const subject = () => `client:window-test-${++n}`;
  const hitMany = (who: string, nowMs: number, count: number, limit = 10) => hitRateLimitCounter(t.ctx.db, { subject: who, category: 'general', windowMs: MINUTE, limit, nowMs, count });
  const hit = async (who: string, nowMs: number, limit = 10) => {
    const h = await hitMany(who, nowMs, 1, limit);
    return { ...h, admitted: h.admittedCount === 1 };
  };
  const hits = async (who: string, nowMs: number, count: number) => {
    const admitted: boolean[] = [];
    for (let i = 0; i < count; i++) admitted.push((await hit(who, nowMs)).admitted);
    return admitted.filter(Boolean).length;
  };

  it('slides instead of resetting at the window boundary', async () => {
    const who = subject();
    expect(await hits(who, T0 + 50_000, 11)).toBe(10);
    // A fixed window would start afresh here; 1 s later the last minute still holds ~9.8 requests.
    expect(await hits(who, T0 + MINUTE + 1_000, 5)).toBe(0);
    // 10 % in: 10 × 0.9 = 9 weigh, room for exactly one.
    expect(await hits(who, T0 + MINUTE + 6_000, 5)).toBe(1);
    // Half-way: 5 weigh, plus the one above, room for four more.
    expect(await hits(who, T0 + MINUTE + 30_000, 10)).toBe(4);
    // Two windows later nothing weighs any more.
    expect(await hits(who, T0 + 3 * MINUTE, 12)).toBe(10);
  });

  it('does not count refused requests, so hammering a full window does not extend it', async () => {
    const who = subject();
    expect(await hits(who, T0 + 50_000, 10)).toBe(10);
    expect(await hits(who, T0 + 59_000, 200)).toBe(0);
    const next = await hit(who, T0 + MINUTE + 6_000);
    expect(next).toMatchObject({ admitted: true, current: 1, previous: 10 });
  });

  it('lets exactly the limit through when requests race', async () => {
    const who = subject();
    const results = await Promise.all(Array.from({ length: 40 }, () => hit(who, T0 + 10_000)));
    expect(results.filter((r) => r.admitted)).toHaveLength(10);
    expect(Math.max(...results.map((r) => r.current))).toBe(10);
  });

  it('counts coalesced requests as the same requests one by one would be counted', async () => {
    const one = subject();
    const many = subject();
    // 7, then 3 of 7 (limit 10); 10 % into the next window 9 weigh: 1 of 3; half-way 5 + 1 weigh: 4 of 9.
    for (const [nowMs, count, expected] of [[T0 + 50_000, 7, 7], [T0 + 50_000, 7, 3], [T0 + MINUTE + 6_000, 3, 1], [T0 + MINUTE + 30_000, 9, 4]] as const) {
      const together = await hitMany(many, nowMs, count);
      const separately = await hits(one, nowMs, count);
      expect([together.admittedCount, separately]).toEqual([expected, expected]);
      const last = await hitMany(one, nowMs, 0);
      expect([together.current, together.previous]).toEqual([last.current, last.previous]);
    }
    expect((await hitMany(subject(), T0, 25)).admittedCount).toBe(10);
  });

  it('keeps subjects and categories apart', async () => {
    const who = subject();
    expect(await hits(who, T0, 11)).toBe(10);
    expect((await hit(subject(), T0)).admitted).toBe(true);
    expect((await hitRateLimitCounter(t.ctx.db, { subject: who, category: 'minting', windowMs: MINUTE, limit: 10, nowMs: T0 })).admittedCount).toBe(1);
  });

  it('takes the limit from the named client’s override when it has one', async () => {
    const { clientId } = await t.createClient({ rateLimits: { auth: 2 } });
    const auth = (nowMs: number) => hitRateLimitCounter(t.ctx.db, { subject: `client:${clientId}`, category: 'auth', windowMs: 5 * MINUTE, limit: 5, limitOverrideOf: clientId, nowMs });
    const results = [await auth(T0), await auth(T0), await auth(T0)];
    expect(results.map((r) => [r.admittedCount, r.limit])).toEqual([[1, 2], [1, 2], [0, 2]]);
    const unknown = await hitRateLimitCounter(t.ctx.db, { subject: 'client:nobody', category: 'auth', windowMs: 5 * MINUTE, limit: 5, limitOverrideOf: 'nobody', nowMs: T0 });
    expect(unknown.limit).toBe(5);
  });

  it('uses the database clock when no time is given, and prunes counters that no longer weigh', async () => {
    const who = subject();
    const before = Date.now();
    const live = await hitRateLimitCounter(t.ctx.db, { subject: who, category: 'general', windowMs: MINUTE, limit: 10 });
    expect(live.nowMs).toBeGreaterThanOrEqual(before - 1_000);
    expect(live.nowMs).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(live.windowStartMs % MINUTE).toBe(0);
    // Every injected-clock row above is years old: gone; the live one stays.
    expect(await pruneRateLimitCounters(t.ctx.db, { olderThanMs: 10 * MINUTE })).toBeGreaterThan(0);
    const left = await t.ctx.db.selectFrom('rate_limit_counters').select('subject').execute();
    expect(left.map((r) => r.subject)).toEqual([who]);
  });
});
