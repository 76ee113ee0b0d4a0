// The calendar arithmetic of gas budgets (README, Gas budgets): when a UTC day, week and month end
// (periodEnd), and the Retry-After a refusal carries until then (gasBudgetRefusal). Weeks start on
// Monday 00:00 UTC, as ISO weeks and Postgres' date_trunc('week') do (the usage query,
// src/db/gas-budgets.ts; tests/policy/gas-budget.test.ts checks that the two agree on the database).
// An instant exactly on a boundary belongs to the period it starts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gasBudgetRefusal, type WeiLimits } from '../../src/policy/gas-budget.js';
import { periodEnd } from '../../src/db/quota-periods.js';
import type { QuotaPeriod } from '../../src/db/policies.js';

const at = (iso: string) => new Date(iso);
const endOf = (period: QuotaPeriod, iso: string) => periodEnd(period, at(iso)).toISOString();

describe('periodEnd, daily', () => {
  it.each([
    ['2025-01-15T12:00:00.000Z', '2025-01-16T00:00:00.000Z'],
    ['2025-01-15T00:00:00.000Z', '2025-01-16T00:00:00.000Z'], // on the boundary: the day it starts
    ['2025-01-15T23:59:59.999Z', '2025-01-16T00:00:00.000Z'],
    ['2024-02-28T08:00:00.000Z', '2024-02-29T00:00:00.000Z'], // leap year
    ['2024-02-29T08:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2025-02-28T08:00:00.000Z', '2025-03-01T00:00:00.000Z'],
    ['2000-02-28T08:00:00.000Z', '2000-02-29T00:00:00.000Z'], // divisible by 400: leap
    ['2100-02-28T08:00:00.000Z', '2100-03-01T00:00:00.000Z'], // divisible by 100 only: not
    ['2025-04-30T08:00:00.000Z', '2025-05-01T00:00:00.000Z'],
    ['2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z'],
  ])('the day of %s ends at %s', (now, end) => {
    expect(endOf('daily', now)).toBe(end);
  });
});

describe('periodEnd, weekly (weeks start on Monday)', () => {
  it.each([
    ['2025-01-13T00:00:00.000Z', '2025-01-20T00:00:00.000Z'], // Monday 00:00: the week it starts
    ['2025-01-13T00:00:00.001Z', '2025-01-20T00:00:00.000Z'],
    ['2025-01-15T12:00:00.000Z', '2025-01-20T00:00:00.000Z'], // Wednesday
    ['2025-01-18T18:00:00.000Z', '2025-01-20T00:00:00.000Z'], // Saturday
    ['2025-01-19T23:59:59.999Z', '2025-01-20T00:00:00.000Z'], // Sunday: still the week from Monday the 13th
    ['2025-01-12T10:00:00.000Z', '2025-01-13T00:00:00.000Z'], // Sunday the 12th: the week before
    ['2025-01-28T10:00:00.000Z', '2025-02-03T00:00:00.000Z'], // across a month end
    ['2024-02-27T10:00:00.000Z', '2024-03-04T00:00:00.000Z'], // across a leap February's 29th
    ['2025-12-31T10:00:00.000Z', '2026-01-05T00:00:00.000Z'], // across the year end
    ['2026-01-04T23:59:59.999Z', '2026-01-05T00:00:00.000Z'],
  ])('the week of %s ends at %s', (now, end) => {
    expect(endOf('weekly', now)).toBe(end);
  });

  it('ends on a Monday at 00:00 UTC, at most seven days on, for every hour of a year', () => {
    for (let ms = Date.UTC(2024, 0, 1); ms < Date.UTC(2025, 0, 1); ms += 3_600_000 + 1) {
      const end = periodEnd('weekly', new Date(ms));
      expect([end.getUTCDay(), end.getUTCHours(), end.getUTCMinutes(), end.getUTCSeconds(), end.getUTCMilliseconds()]).toEqual([1, 0, 0, 0, 0]);
      expect(end.getTime() - ms).toBeGreaterThan(0);
      expect(end.getTime() - ms).toBeLessThanOrEqual(7 * 86_400_000);
    }
  });
});

describe('periodEnd, monthly', () => {
  it.each([
    ['2025-01-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z'], // on the boundary: the month it starts
    ['2025-01-31T23:59:59.999Z', '2025-02-01T00:00:00.000Z'],
    ['2024-02-15T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59.999Z', '2024-03-01T00:00:00.000Z'], // 29 days in a leap year
    ['2025-02-28T23:59:59.999Z', '2025-03-01T00:00:00.000Z'], // 28 otherwise
    ['2025-03-31T12:00:00.000Z', '2025-04-01T00:00:00.000Z'],
    ['2025-04-30T12:00:00.000Z', '2025-05-01T00:00:00.000Z'],
    ['2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z'], // year end
  ])('the month of %s ends at %s', (now, end) => {
    expect(endOf('monthly', now)).toBe(end);
  });
});

/**
 * periodEnd of each period for each instant, computed by a Node process running in time zone `zone`
 * (jest's process.env is a copy: setting TZ in the test process would change nothing), with the
 * local calendar day of each instant there, to show the zone puts it on another day.
 */
function periodEndsIn(zone: string, instants: string[]): { localDay: number; utcDay: number; ends: Record<QuotaPeriod, string> }[] {
  const module = pathToFileURL(join(process.cwd(), 'src', 'db', 'quota-periods.ts')).href;
  const script = `
    const { periodEnd } = await import(${JSON.stringify(module)});
    const instants = ${JSON.stringify(instants)}.map((iso) => new Date(iso));
    console.log(JSON.stringify(instants.map((now) => ({
      localDay: now.getDate(),
      utcDay: now.getUTCDate(),
      ends: Object.fromEntries(['daily', 'weekly', 'monthly'].map((period) => [period, periodEnd(period, now).toISOString()])),
    }))));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', TZ: zone },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('periodEnd does not depend on the process time zone', () => {
  // Around midnight UTC, where a local calendar puts the instant on another day, week or month.
  it.each([
    ['Pacific/Kiritimati', '2025-01-31T23:30:00.000Z', ['2025-02-01', '2025-02-03', '2025-02-01']], // UTC+14: already Saturday 1 February
    ['Asia/Kolkata', '2025-01-19T23:30:00.000Z', ['2025-01-20', '2025-01-20', '2025-02-01']], // UTC+5:30: already Monday
    ['Pacific/Pago_Pago', '2025-01-20T00:30:00.000Z', ['2025-01-21', '2025-01-27', '2025-02-01']], // UTC-11: still Sunday
    ['America/Los_Angeles', '2025-03-01T03:00:00.000Z', ['2025-03-02', '2025-03-03', '2025-04-01']], // still February
  ])('in %s, at %s', (zone, now, [daily, weekly, monthly]) => {
    const [local] = periodEndsIn(zone, [now]);
    expect(local.localDay).not.toBe(local.utcDay);
    const midnight = (day: string) => `${day}T00:00:00.000Z`;
    expect(local.ends).toEqual({ daily: midnight(daily), weekly: midnight(weekly), monthly: midnight(monthly) });
  });
});

const limits = (daily: bigint | null, weekly: bigint | null, monthly: bigint | null): WeiLimits => ({ daily, weekly, monthly });
const used = (daily: bigint, weekly: bigint, monthly: bigint) => ({ daily, weekly, monthly });
const NOTHING_USED = used(0n, 0n, 0n);

function refusal(scopes: Parameters<typeof gasBudgetRefusal>[0], now: string, reservationWei = 10n) {
  return gasBudgetRefusal(scopes, { reservationWei, operation: 'transfer', now: at(now) });
}
const retryAfter = (error: ReturnType<typeof refusal>) => Number(error?.headers?.['Retry-After']);

describe('the Retry-After of a budget refusal', () => {
  it.each([
    ['2025-01-15T12:00:00.000Z', 43_200],
    ['2025-01-15T00:00:00.000Z', 86_400], // on the boundary: a whole day
    ['2025-01-15T23:59:59.000Z', 1],
    ['2025-01-15T23:59:59.001Z', 1], // rounded up, never 0
    ['2025-01-15T23:59:58.999Z', 2],
  ])('a daily budget short at %s: %i s, until the next 00:00 UTC', (now, seconds) => {
    const error = refusal([{ scope: 'client', limits: limits(5n, null, null), used: NOTHING_USED }], now);
    expect([error?.status, error?.code]).toEqual([429, 'SPONSORSHIP_BUDGET_EXCEEDED']);
    expect(retryAfter(error)).toBe(seconds);
  });

  it('a weekly budget short on a Sunday: until Monday 00:00 UTC', () => {
    expect(retryAfter(refusal([{ scope: 'user', limits: limits(null, 5n, null), used: NOTHING_USED }], '2025-01-19T18:00:00.000Z'))).toBe(6 * 3600);
  });

  it('a monthly budget short in February: until 1 March, 29 days of a leap year or 28 otherwise', () => {
    const short = [{ scope: 'client' as const, limits: limits(null, null, 5n), used: NOTHING_USED }];
    expect(retryAfter(refusal(short, '2024-02-01T00:00:00.000Z'))).toBe(29 * 86_400);
    expect(retryAfter(refusal(short, '2025-02-01T00:00:00.000Z'))).toBe(28 * 86_400);
    expect(retryAfter(refusal(short, '2025-12-31T00:00:00.000Z'))).toBe(86_400);
  });

  it('waits for the latest end among the budgets it does not fit (both scopes), not the first one named', () => {
    // Wednesday 2025-01-15 12:00: the day ends in 12 h, the week in 4.5 days, the month in 16.5 days.
    const now = '2025-01-15T12:00:00.000Z';
    const error = refusal(
      [
        { scope: 'client', limits: limits(5n, 100n, 100n), used: NOTHING_USED },
        { scope: 'user', limits: limits(100n, 5n, 100n), used: NOTHING_USED },
      ],
      now,
    );
    expect(error?.message).toBe("Sponsorship budget exceeded: the client's daily gas budget has 5 wei left, and this transfer reserves 10 wei");
    expect(retryAfter(error)).toBe(4.5 * 86_400);
    // The month fits (100 - 80 = 20 left), so it does not lengthen the wait.
    expect(retryAfter(refusal([{ scope: 'user', limits: limits(5n, null, 100n), used: used(0n, 0n, 80n) }], now))).toBe(12 * 3600);
    expect(retryAfter(refusal([{ scope: 'user', limits: limits(5n, null, 100n), used: used(0n, 0n, 95n) }], now))).toBe(16.5 * 86_400);
  });

  it('is no refusal when the reservation fits exactly, and one when it is a wei over', () => {
    const scope = (left: bigint) => [{ scope: 'client' as const, limits: limits(100n, 100n, 100n), used: used(100n - left, 100n - left, 100n - left) }];
    expect(refusal(scope(10n), '2025-01-15T12:00:00.000Z')).toBeUndefined();
    expect(refusal(scope(9n), '2025-01-15T12:00:00.000Z')?.message).toBe(
      "Sponsorship budget exceeded: the client's daily gas budget has 9 wei left, and this transfer reserves 10 wei",
    );
  });
});
