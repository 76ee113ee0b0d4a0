// The quota arithmetic that both accepting an operation and GET /quota/check use, table by table:
// what is left per period, whether one more fits, and the X-Quota-Remaining figure once it is counted.
import { quotaDecision, quotaStatusOf, smallestRemaining, type QuotaStatus } from '../../src/policy/quota.js';
import type { PeriodCounts, PeriodLimits } from '../../src/db/policies.js';

const limits = (daily: number | null, weekly: number | null, monthly: number | null): PeriodLimits => ({ daily, weekly, monthly });
const used = (daily: number, weekly: number, monthly: number): PeriodCounts => ({ daily, weekly, monthly });
const remaining = (daily: number | null, weekly: number | null, monthly: number | null): QuotaStatus['remaining'] => ({ daily, weekly, monthly });

describe('quotaStatusOf', () => {
  it.each([
    ['no period limited', limits(null, null, null), used(5, 5, 5), { allowed: true, remaining: remaining(null, null, null) }],
    ['room in every period', limits(10, 50, 200), used(3, 20, 100), { allowed: true, remaining: remaining(7, 30, 100) }],
    ['one left today', limits(10, 50, 200), used(9, 9, 9), { allowed: true, remaining: remaining(1, 41, 191) }],
    ['the day used up', limits(10, 50, 200), used(10, 10, 10), { allowed: false, remaining: remaining(0, 40, 190) }],
    ['the week used up, the day not', limits(10, 5, null), used(2, 5, 5), { allowed: false, remaining: remaining(8, 0, null) }],
    ['a limit of zero allows nothing', limits(null, null, 0), used(0, 0, 0), { allowed: false, remaining: remaining(null, null, 0) }],
    ['over a limit lowered since (never negative)', limits(1, null, null), used(4, 4, 4), { allowed: false, remaining: remaining(0, null, null) }],
  ])('%s', (_, given, counted, expected) => {
    expect(quotaStatusOf(given, counted)).toEqual(expected);
  });
});

describe('smallestRemaining', () => {
  it.each([
    ['no period limited', remaining(null, null, null), undefined],
    ['one period limited', remaining(null, 4, null), 4],
    ['the smallest of several', remaining(7, 3, 100), 3],
    ['zero', remaining(0, 40, 190), 0],
  ])('%s', (_, left, expected) => {
    expect(smallestRemaining({ allowed: true, remaining: left })).toBe(expected);
  });
});

describe('quotaDecision', () => {
  it.each([
    ['no period limited: neither a refusal nor a figure', limits(null, null, null), used(100, 100, 100), {}],
    ['room: what is left once this one is counted', limits(10, 50, 200), used(3, 20, 100), { remaining: 6 }],
    ['the last one: zero left after it', limits(10, 50, 200), used(9, 9, 9), { remaining: 0 }],
    ['only the month limited', limits(null, null, 3), used(0, 0, 1), { remaining: 1 }],
  ])('%s', (_, given, counted, expected) => {
    expect(quotaDecision(given, counted, 'transfer')).toEqual(expected);
  });

  it.each([
    ['the day', limits(10, 50, 200), used(10, 10, 10), 'Transaction quota exceeded: this user has reached the mint limit (10 daily)'],
    ['the day and the week', limits(5, 5, null), used(5, 5, 5), 'Transaction quota exceeded: this user has reached the mint limit (5 daily, 5 weekly)'],
    ['a limit of zero', limits(null, null, 0), used(0, 0, 0), 'Transaction quota exceeded: this user has reached the mint limit (0 monthly)'],
  ])('refuses with 429 QUOTA_EXCEEDED naming what is used up: %s', (_, given, counted, message) => {
    const { refusal, remaining } = quotaDecision(given, counted, 'mint');
    expect(remaining).toBeUndefined();
    expect(refusal).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED', message });
  });
});
