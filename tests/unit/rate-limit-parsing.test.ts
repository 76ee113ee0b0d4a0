// Rate-limit settings as operators write them — RATE_LIMIT_DEFAULTS and the CLI's --rate-limit share
// one syntax, "general=100,minting=10" — and what each category and address counts against.
import { RATE_LIMIT_CATEGORIES, parseRateLimits } from '../../src/policy/rate-limit-categories.js';
import { addressGroupOf, rateLimitCategoryOf, windowMsOf } from '../../src/http/rate-limit.js';

describe('parsing rate-limit overrides', () => {
  it.each<[string, Record<string, number>]>([
    ['', {}],
    ['general=100', { general: 100 }],
    ['general=1000,auth=20', { general: 1000, auth: 20 }],
    [' minting=10 , external=30 ', { minting: 10, external: 30 }],
    ['general=1,,auth=2,', { general: 1, auth: 2 }],
    ['general=5,general=7', { general: 7 }],
    ['auth=1000000000', { auth: 1_000_000_000 }],
  ])('reads %j as %j', (spec, overrides) => {
    expect(parseRateLimits(spec)).toEqual(overrides);
  });

  it.each<[string, string]>([
    ['burst=5', "unknown rate-limit category 'burst' (known: general, minting, external, auth)"],
    ['toString=5', "unknown rate-limit category 'toString'"],
    ['__proto__=5', "unknown rate-limit category '__proto__'"],
    ['General=5', "unknown rate-limit category 'General'"],
    ['minting = 10', "unknown rate-limit category 'minting '"],
    ['general=0', "rate limit for 'general' must be a whole number from 1 up"],
    ['general=-3', "rate limit for 'general' must be a whole number from 1 up"],
    ['general=1.5', "rate limit for 'general' must be a whole number from 1 up"],
    ['general=ten', "rate limit for 'general' must be a whole number from 1 up"],
    ['general=', "rate limit for 'general' must be a whole number from 1 up"],
    ['general', "rate limit for 'general' must be a whole number from 1 up"],
    ['general=1000000001', "rate limit for 'general' must be a whole number from 1 up"],
  ])('refuses %j: %s', (spec, message) => {
    expect(() => parseRateLimits(spec)).toThrow(message);
  });
});

describe('rate-limit categories', () => {
  it('has the documented defaults and windows', () => {
    expect(RATE_LIMIT_CATEGORIES).toEqual({
      general: { limit: 100, windowSeconds: 60 },
      minting: { limit: 10, windowSeconds: 60 },
      external: { limit: 30, windowSeconds: 60 },
      auth: { limit: 5, windowSeconds: 300 },
    });
  });

  it.each<[number, number]>([
    [1, 300_000],
    [0.5, 150_000],
    [0.000001, 1],
    [2, 600_000],
  ])('scales the auth window by %d to %d ms, never below 1 ms', (scale, ms) => {
    expect(windowMsOf('auth', scale)).toBe(ms);
  });

  it.each<[string | undefined, string]>([
    ['createToken', 'auth'],
    ['prepareMint', 'minting'],
    ['executeMint', 'minting'],
    ['listWebhookDeliveries', 'external'],
    ['redeliverWebhookDelivery', 'external'],
    ['sendTestWebhook', 'external'],
    ['transferTokens', 'general'],
    ['hasOwnProperty', 'general'],
    [undefined, 'general'],
  ])('counts %s against %s', (operationId, category) => {
    expect(rateLimitCategoryOf(operationId)).toBe(category);
  });
});

describe('the per-address subject', () => {
  it.each<[string, string]>([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['unknown', 'unknown'],
  ])('counts %s as %s', (ip, group) => {
    expect(addressGroupOf(ip)).toBe(group);
  });
});
