// Behind a load balancer every request arrives from the balancer's address, so the per-address limits
// (README "Rate limits") would count all callers together. TRUST_PROXY names the proxies whose
// X-Forwarded-For is believed; without it the header is ignored, so a caller cannot forge its way
// around a per-address limit by sending one.
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { testEnvironment } from '../support/test-app.js';

// auth=1 makes the unauthenticated per-address cap 20 (20 × the auth default) 401s per window.
const LIMITS = { RATE_LIMIT_DEFAULTS: 'general=1000000,minting=1000000,external=1000000,auth=1' };
const UNAUTHENTICATED_CAP = 20;

const badToken = (t: TestApp, forwardedFor: string) =>
  request(t.app).get('/api/v1/quota/check').set('Authorization', 'Bearer not.a.token').set('X-Forwarded-For', forwardedFor);

async function exhaust(t: TestApp, forwardedFor: string) {
  for (let i = 0; i < UNAUTHENTICATED_CAP; i++) expectError(await badToken(t, forwardedFor), 401, 'UNAUTHORIZED');
  expectError(await badToken(t, forwardedFor), 429, 'RATE_LIMITED');
}

describe('with TRUST_PROXY=loopback (Chronos behind a proxy on this host)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { ...LIMITS, TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  it('counts each caller the proxy names separately', async () => {
    await exhaust(t, '203.0.113.7');
    expectError(await badToken(t, '203.0.113.8'), 401, 'UNAUTHORIZED');
  });
});

describe('without TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: LIMITS });
  });
  afterAll(() => t.close());

  it('ignores X-Forwarded-For: a forged header does not escape the per-address limit', async () => {
    await exhaust(t, '203.0.113.7');
    expectError(await badToken(t, '198.51.100.9'), 429, 'RATE_LIMITED');
  });
});

describe('TRUST_PROXY values', () => {
  const parse = (value: string) => parseConfig(testEnvironment('postgres://u:p@127.0.0.1:1/db', { TRUST_PROXY: value }), 'external').trustProxy;

  it.each([
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, uniquelocal', ['10.0.0.0/8', 'uniquelocal']],
    ['fd00::/8', ['fd00::/8']],
  ])('accepts %s', (value, expected) => {
    expect(parse(value)).toEqual(expected);
  });

  it.each(['0', 'true', 'everything', '10.0.0.0/8,*'])('refuses %s, naming the variable', (value) => {
    expect(() => parse(value)).toThrow(/TRUST_PROXY/);
  });

  it('is off when unset', () => {
    expect(parseConfig(testEnvironment('postgres://u:p@127.0.0.1:1/db'), 'external').trustProxy).toBe(false);
  });
});
