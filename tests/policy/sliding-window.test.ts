// The sliding-window counter: the arithmetic behind the headers (pure, any clock), and the one SQL
// statement that decides, driven with an injected clock so the window's movement is exact.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { hitRateLimitCounter, pruneRateLimitCounters } from '../../src/db/rate-limit-counters.js';
import { estimateAt, nextAdmissionMs, reportWindow, type WindowCounters } from '../../src/policy/sliding-window.js';

const MINUTE = 60_000;
/** A minute boundary well in the past, so injected times never meet the real clock. */
const T0 = Math.floor(1_700_000_000_000 / MINUTE) * MINUTE;

describe('window arithmetic (what the headers say)', () => {
  const W = MINUTE;
  type Case = { when: string; c: WindowCounters; expected: Partial<ReturnType<typeof reportWindow>>; admitAt?: number };
  // limit 10 per minute unless a case says otherwise; `lastAdmittedMs` is when the last request got in.
  const base = { limit: 10, windowMs: W, windowStartMs: T0 };
  const cases: Case[] = [
    {
      when: 'the previous slot weighs by the share of it still inside the sliding window (2 now + 8 × 0.75)',
      c: { ...base, nowMs: T0 + 15_000, current: 2, previous: 8, lastAdmittedMs: T0 + 15_000 },
      // Everything counted was let through by now, so all of it has left the window a minute later.
      expected: { remaining: 2, used: 8, resetAt: (T0 + 75_000) / 1000, retryAfterSeconds: 0 },
    },
    {
      when: 'the previous slot is what fills it (4 + 10 × 0.9): retry once enough of it has slid out',
      c: { ...base, nowMs: T0 + 6_000, current: 4, previous: 10, lastAdmittedMs: T0 + 5_000 },
      expected: { remaining: 0, retryAfterSeconds: 24 },
      admitAt: T0 + 30_000,
    },
    {
      when: 'this slot alone is full late in the slot: retry once it has slid far enough into the next',
      c: { ...base, nowMs: T0 + 30_000, current: 10, previous: 0, lastAdmittedMs: T0 + 29_000 },
      expected: { remaining: 0, used: 10, retryAfterSeconds: 36 },
      admitAt: T0 + MINUTE + 6_000,
    },
    {
      when: 'a burst at the start of a slot filled it: retry one window after its last request, not 1.1 windows after the slot start',
      c: { ...base, nowMs: T0 + 2_000, current: 10, previous: 0, lastAdmittedMs: T0 + 1_500 },
      expected: { remaining: 0, used: 10, retryAfterSeconds: 60, resetAt: Math.ceil((T0 + 61_500) / 1000) },
      admitAt: T0 + 61_500,
    },
    {
      when: 'a limit of 1 is used up: retry one window after that request, not two slots later',
      c: { ...base, limit: 1, nowMs: T0 + 5_000, current: 1, previous: 0, lastAdmittedMs: T0 + 1_000 },
      expected: { remaining: 0, used: 1, retryAfterSeconds: 56 },
      admitAt: T0 + 61_000,
    },
    {
      when: 'the limit was lowered below what this slot already holds: still at most one window',
      c: { ...base, nowMs: T0 + 10_000, current: 50, previous: 0, lastAdmittedMs: T0 + 9_000 },
      expected: { remaining: 0, used: 10, retryAfterSeconds: 59 },
      admitAt: T0 + 69_000,
    },
    {
      when: 'every counted request is a window old, though the even-spread estimate still weighs some',
      c: { ...base, nowMs: T0 + 59_500, current: 0, previous: 10, lastAdmittedMs: T0 - 1_000 },
      expected: { remaining: 10, used: 0, resetAt: Math.ceil((T0 + 59_500) / 1000), retryAfterSeconds: 0 },
    },
    {
      when: 'nothing was counted: completely free now',
      c: { ...base, nowMs: T0 + 1, current: 0, previous: 0, lastAdmittedMs: T0 - 5 * MINUTE },
      expected: { remaining: 10, used: 0, resetAt: Math.ceil((T0 + 1) / 1000), retryAfterSeconds: 0 },
    },
    {
      when: 'only the previous slot holds requests: free once that slot has slid out',
      c: { ...base, nowMs: T0 + 1, current: 0, previous: 3, lastAdmittedMs: T0 - 1 },
      expected: { remaining: 7, resetAt: (T0 + MINUTE) / 1000 },
    },
  ];

  it.each(cases)('when $when', ({ c, expected, admitAt }) => {
    const report = reportWindow(c);
    expect(report).toMatchObject(expected);
    expect(report.retryAfterSeconds).toBeLessThanOrEqual(c.windowMs / 1000);
    if (admitAt === undefined) return;
    // The Retry-After is the true time: one more request fits at that moment and not a millisecond before.
    expect(nextAdmissionMs(c)).toBe(admitAt);
    expect(estimateAt(c, admitAt) + 1).toBeLessThanOrEqual(c.limit + 1e-9);
    expect(estimateAt(c, admitAt - 1) + 1).toBeGreaterThan(c.limit);
  });

  it('never tells a refused client to wait longer than one window, wherever in the slot the refusal falls', () => {
    const waits: number[] = [];
    for (let limit = 1; limit <= 12; limit++) {
      for (let at = 0; at < W; at += 1_500) {
        for (const [current, previous] of [
          [limit, 0],
          [limit, limit],
          [Math.ceil(limit / 2), limit],
          [limit * 3, 0],
        ]) {
          const c = { limit, windowMs: W, windowStartMs: T0, nowMs: T0 + at + 500, current, previous, lastAdmittedMs: T0 + at };
          const report = reportWindow(c);
          if (report.remaining > 0) continue;
          waits.push(report.retryAfterSeconds);
          expect(estimateAt(c, nextAdmissionMs(c)) + 1).toBeLessThanOrEqual(limit + 1e-6);
        }
      }
    }
    expect(waits.length).toBeGreaterThan(500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(60);
  });
});

describe('the counter statement in Postgres', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  let n = 0;
  const subject = () => `client:window-test-${++n}`;
  const hitMany = (who: string, nowMs: number, count: number, limit = 10) =>
    hitRateLimitCounter(t.ctx.db, { subject: who, category: 'general', windowMs: MINUTE, limit, nowMs, count });
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

  it.each([
    { when: 'a burst at the start of a slot fills it', limit: 10, burstAt: T0 + 1_500, refusedAt: T0 + 2_000 },
    { when: 'a limit of 1 is used early in a slot', limit: 1, burstAt: T0 + 1_000, refusedAt: T0 + 5_000 },
    { when: 'the window is filled late in a slot', limit: 10, burstAt: T0 + 29_000, refusedAt: T0 + 30_000 },
  ])('when $when, the statement lets the next request in exactly when Retry-After says, within one window', async ({ limit, burstAt, refusedAt }) => {
    const who = subject();
    expect((await hitMany(who, burstAt, limit, limit)).admittedCount).toBe(limit);
    const refused = await hit(who, refusedAt, limit);
    expect(refused.admitted).toBe(false);
    const report = reportWindow({ ...refused, windowMs: MINUTE });
    expect(report.retryAfterSeconds).toBeLessThanOrEqual(60);
    const admitAt = nextAdmissionMs({ ...refused, windowMs: MINUTE });
    expect(admitAt - refusedAt).toBeLessThanOrEqual(MINUTE);
    expect((await hit(who, admitAt - 1, limit)).admitted).toBe(false);
    expect((await hit(who, admitAt, limit)).admitted).toBe(true);
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
    for (const [nowMs, count, expected] of [
      [T0 + 50_000, 7, 7],
      [T0 + 50_000, 7, 3],
      [T0 + MINUTE + 6_000, 3, 1],
      [T0 + MINUTE + 30_000, 9, 4],
    ] as const) {
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
    const auth = (nowMs: number) =>
      hitRateLimitCounter(t.ctx.db, { subject: `client:${clientId}`, category: 'auth', windowMs: 5 * MINUTE, limit: 5, limitOverrideOf: clientId, nowMs });
    const results = [await auth(T0), await auth(T0), await auth(T0)];
    expect(results.map((r) => [r.admittedCount, r.limit])).toEqual([
      [1, 2],
      [1, 2],
      [0, 2],
    ]);
    const unknown = await hitRateLimitCounter(t.ctx.db, {
      subject: 'client:nobody',
      category: 'auth',
      windowMs: 5 * MINUTE,
      limit: 5,
      limitOverrideOf: 'nobody',
      nowMs: T0,
    });
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
