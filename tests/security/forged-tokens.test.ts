// Access tokens the API must refuse, beyond tests/http/authentication.test.ts (which covers expired
// tokens, another secret, `alg: none`, another audience or issuer, an unknown subject): algorithm
// confusion, genuine tokens with their claims edited, tokens missing claims, and tokens presented
// anywhere but the Authorization header. Every refusal is 401 UNAUTHORIZED and writes nothing.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';

let t: TestApp;
let alice: TestClient;
let bob: TestClient;
let aliceToken: string;

beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createClient({ name: 'alice', scopes: ['wallet'] });
  bob = await t.createClient({ name: 'bob' });
  aliceToken = await t.tokenFor(alice);
});
afterAll(() => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmac = (algorithm: string, data: string, key: string | Buffer) => createHmac(algorithm, key).update(data).digest('base64url');
const claims = () => ({
  scope: 'wallet mint transfer claim',
  sub: alice.clientId,
  iss: t.config.jwt.issuer,
  aud: t.config.jwt.audience,
  jti: 'forged',
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
});
/** A token with any header, signed HMAC-SHA256 with the real secret over whatever it says. */
const hs256With = (header: object, payload: object) => {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${hmac('sha256', signingInput, t.config.jwt.secret)}`;
};
/** A genuine token with its payload edited and its signature kept. */
const edited = (token: string, change: (payload: Record<string, unknown>) => void) => {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
  change(decoded);
  return `${header}.${b64(decoded)}.${signature}`;
};

const walletCount = async () =>
  Number(
    (
      await t.ctx.db
        .selectFrom('wallets')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const createWallet = (authorization: string) => request(t.app).post('/api/v1/wallet/create').set('Authorization', authorization).set('X-User-Id', 'victim');

describe('algorithm confusion', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  it.each([
    ['HS512 signed with the real secret', () => jwt.sign(claims(), t.config.jwt.secret, { algorithm: 'HS512' })],
    ['HS384 signed with the real secret', () => jwt.sign(claims(), t.config.jwt.secret, { algorithm: 'HS384' })],
    ['an RS256 header over an HMAC of the real secret (public-key confusion)', () => hs256With({ alg: 'RS256', typ: 'JWT' }, claims())],
    ['RS256 signed with some RSA key', () => jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' })],
    ['ES256 signed with some EC key', () => jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256' })],
    ['alg "None" (other spelling), no signature', () => `${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`],
    ['alg "NONE" with the HMAC still attached', () => hs256With({ alg: 'NONE' }, claims())],
    ['no alg at all', () => hs256With({ typ: 'JWT' }, claims())],
  ])('refuses %s', async (_name, token) => {
    const before = await walletCount();
    expectError(await createWallet(`Bearer ${token()}`), 401, 'UNAUTHORIZED');
    expect(await walletCount()).toBe(before);
  });
});

describe('genuine tokens with edited claims keep their signature and are refused', () => {
  it.each([
    [
      'the subject swapped to another client',
      (p: Record<string, unknown>) => {
        p.sub = bob.clientId;
      },
    ],
    [
      "scopes widened beyond the client's",
      (p: Record<string, unknown>) => {
        p.scope = 'wallet mint transfer claim';
      },
    ],
    [
      'the expiry pushed a year out',
      (p: Record<string, unknown>) => {
        p.exp = Number(p.exp) + 365 * 86_400;
      },
    ],
    [
      'a different audience',
      (p: Record<string, unknown>) => {
        p.aud = 'someone-else';
      },
    ],
  ])('%s', async (_name, change) => {
    const before = await walletCount();
    expectError(await createWallet(`Bearer ${edited(aliceToken, change)}`), 401, 'UNAUTHORIZED');
    expect(await walletCount()).toBe(before);
  });
});

describe('tokens signed with the real secret but missing what a Chronos token carries', () => {
  const without = (name: string) => {
    const c: Record<string, unknown> = claims();
    delete c[name];
    return c;
  };
  it.each([
    ['no expiry', () => jwt.sign(without('exp'), t.config.jwt.secret, { algorithm: 'HS256' })],
    ['no token id', () => jwt.sign(without('jti'), t.config.jwt.secret, { algorithm: 'HS256' })],
    ['no subject', () => jwt.sign(without('sub'), t.config.jwt.secret, { algorithm: 'HS256' })],
    ['scopes that are not a string', () => jwt.sign({ ...claims(), scope: ['wallet'] }, t.config.jwt.secret, { algorithm: 'HS256' })],
    ['a not-before in the future', () => jwt.sign({ ...claims(), nbf: Math.floor(Date.now() / 1000) + 600 }, t.config.jwt.secret, { algorithm: 'HS256' })],
  ])('refuses a token with %s', async (_name, token) => {
    expectError(await createWallet(`Bearer ${token()}`), 401, 'UNAUTHORIZED');
  });
});

describe('where the token is presented', () => {
  it('accepts it only as "Authorization: Bearer <token>": not in the query, a cookie, another scheme or with trailing data', async () => {
    const refusals = [
      request(t.app).post(`/api/v1/wallet/create?access_token=${aliceToken}`).set('X-User-Id', 'victim'),
      request(t.app).post('/api/v1/wallet/create').set('Cookie', `token=${aliceToken}`).set('X-User-Id', 'victim'),
      createWallet(`Token ${aliceToken}`),
      createWallet(`Bearer ${aliceToken} ${aliceToken}`),
      createWallet(`Bearer ${aliceToken}.extra`),
      createWallet(`Bearer ${aliceToken.slice(0, -10)}${aliceToken.at(-10) === 'A' ? 'B' : 'A'}${aliceToken.slice(-9)}`),
    ];
    for (const res of await Promise.all(refusals)) {
      expect([400, 401]).toContain(res.status);
      expect(res.body.code).toMatch(/^(UNAUTHORIZED|VALIDATION_ERROR)$/);
    }
    // The same token, presented properly, works: the refusals were about the presentation.
    expect((await createWallet(`Bearer ${aliceToken}`)).status).toBe(200);
  });
});
