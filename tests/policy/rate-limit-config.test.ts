// RATE_LIMIT_DEFAULTS and RATE_LIMIT_WINDOW_SCALE: deployment-wide defaults under the per-client
// overrides, validated at boot like every other variable.
import { parseConfig, ConfigError } from '../../src/config/load.js';
import { rateLimitCategoryOf, windowMsOf } from '../../src/http/rate-limit.js';
import { parseRateLimits } from '../../src/policy/rate-limit-categories.js';
import { externalEnv } from '../support/external-env.js';

const valid = externalEnv;

describe('rate-limit configuration', () => {
  it('defaults to the documented limits and windows', () => {
    const { rateLimits } = parseConfig(valid, 'external');
    expect(rateLimits).toEqual({ defaults: { general: 100, minting: 10, external: 30, auth: 5 }, windowScale: 1 });
    expect(['general', 'minting', 'external', 'auth'].map((c) => windowMsOf(c as never, 1))).toEqual([60_000, 60_000, 60_000, 300_000]);
  });

  it('takes deployment-wide defaults for some categories and keeps the others', () => {
    const { rateLimits } = parseConfig({ ...valid, RATE_LIMIT_DEFAULTS: 'general=1000,auth=20', RATE_LIMIT_WINDOW_SCALE: '0.5' }, 'external');
    expect(rateLimits).toEqual({ defaults: { general: 1000, minting: 10, external: 30, auth: 20 }, windowScale: 0.5 });
    expect(windowMsOf('auth', rateLimits.windowScale)).toBe(150_000);
  });

  it.each([
    [{ RATE_LIMIT_DEFAULTS: 'burst=5' }, /^RATE_LIMIT_DEFAULTS must look like general=100,minting=10: unknown rate-limit category 'burst'/],
    [{ RATE_LIMIT_DEFAULTS: 'general=0' }, /^RATE_LIMIT_DEFAULTS .*whole number from 1 up/],
    [{ RATE_LIMIT_WINDOW_SCALE: '0' }, /^RATE_LIMIT_WINDOW_SCALE /],
  ])('refuses %j naming the variable', (change, message) => {
    expect(() => parseConfig({ ...valid, ...change }, 'external')).toThrow(ConfigError);
    expect(() => parseConfig({ ...valid, ...change }, 'external')).toThrow(message);
  });

  it('puts each operation in its category by operationId, and anything else in general', () => {
    expect(rateLimitCategoryOf('createToken')).toBe('auth');
    expect(rateLimitCategoryOf('prepareMint')).toBe('minting');
    expect(rateLimitCategoryOf('executeMint')).toBe('minting');
    expect(rateLimitCategoryOf('listWebhookDeliveries')).toBe('external');
    expect(rateLimitCategoryOf('redeliverWebhookDelivery')).toBe('external');
    expect(rateLimitCategoryOf('sendTestWebhook')).toBe('external');
    expect(rateLimitCategoryOf('transferTokens')).toBe('general');
    expect(rateLimitCategoryOf('checkQuota')).toBe('general');
    expect(rateLimitCategoryOf('toString')).toBe('general');
    expect(rateLimitCategoryOf(undefined)).toBe('general');
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('refuses the inherited name %s as a category', (name) => {
    expect(() => parseRateLimits(`${name}=5`)).toThrow(`unknown rate-limit category '${name}'`);
    expect(() => parseConfig({ ...valid, RATE_LIMIT_DEFAULTS: `${name}=5` }, 'external')).toThrow(ConfigError);
  });
});
