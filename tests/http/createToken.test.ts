import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { findClient } from '../../src/db/clients.js';
import { revokeClient } from '../../src/admin/clients.js';

let t: TestApp;
let client: TestClient;

beforeAll(async () => {
  t = await createTestApp();
  client = await t.createClient({ name: 'acme', scopes: ['wallet', 'mint'] });
});
afterAll(() => t.close());

const token = (body: unknown) =>
  request(t.app)
    .post('/api/v1/auth/token')
    .send(body as object);

describe('POST /api/v1/auth/token', () => {
  it('issues an HS256 JWT naming the client, its scopes, issuer, audience, id and a one-hour expiry', async () => {
    const res = await token({ clientId: client.clientId, clientSecret: client.clientSecret });
    expect(res.status).toBe(200);
    expect(res.body.expiresIn).toBe(3600);
    const decoded = jwt.verify(res.body.token, t.config.jwt.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(decoded).toMatchObject({ sub: client.clientId, scope: 'wallet mint', iss: 'chronos', aud: 'chronos-api' });
    expect(decoded.exp! - decoded.iat!).toBe(3600);
    expect(typeof decoded.jti).toBe('string');
    expect(jwt.decode(res.body.token, { complete: true })?.header.alg).toBe('HS256');
  });

  it('gives every token its own id', async () => {
    const a = await token({ clientId: client.clientId, clientSecret: client.clientSecret });
    const b = await token({ clientId: client.clientId, clientSecret: client.clientSecret });
    expect((jwt.decode(a.body.token) as jwt.JwtPayload).jti).not.toBe((jwt.decode(b.body.token) as jwt.JwtPayload).jti);
  });

  it('stores the secret only as a slow hash', async () => {
    const row = await findClient(t.ctx.db, client.clientId);
    expect(row?.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row?.secret_hash).not.toContain(client.clientSecret);
  });

  it.each([
    ['an empty body', {}],
    ['no clientSecret', { clientId: 'client_x' }],
    ['no clientId', { clientSecret: 'sk_x' }],
    ['an empty clientId', { clientId: '', clientSecret: 'sk_x' }],
    ['a numeric clientId', { clientId: 42, clientSecret: 'sk_x' }],
    ['a null clientSecret', { clientId: 'client_x', clientSecret: null }],
  ])('answers %s with 400 MISSING_CREDENTIALS', async (_name, body) => {
    expectError(await token(body), 400, 'MISSING_CREDENTIALS');
  });

  it('gives the same 401 INVALID_SECRET for a wrong secret, an unknown, a revoked and a malformed client id', async () => {
    const revoked = await t.createClient({ name: 'gone' });
    await revokeClient(t.ctx.db, revoked.clientId);
    const answers = [
      await token({ clientId: client.clientId, clientSecret: 'sk_wrong' }),
      await token({ clientId: `client_${'0'.repeat(20)}`, clientSecret: client.clientSecret }),
      await token({ clientId: revoked.clientId, clientSecret: revoked.clientSecret }),
      // Not shaped like a client id at all: refused before any lookup, with the same answer.
      await token({ clientId: 'client_doesnotexist', clientSecret: client.clientSecret }),
    ];
    for (const res of answers) expectError(res, 401, 'INVALID_SECRET');
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
  });

  it('takes about as long for an unknown client as for a wrong secret (one hash each)', async () => {
    const time = async (body: object) => {
      const start = process.hrtime.bigint();
      await token(body);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await time({ clientId: client.clientId, clientSecret: 'sk_wrong' }));
      unknown.push(await time({ clientId: `client_${'f'.repeat(20)}`, clientSecret: 'sk_wrong' }));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[2];
    // Both pay for one scrypt (tens of ms); an unknown client must not be answered noticeably faster.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    const res = await request(t.app).post('/api/v1/auth/token').set('Content-Type', 'application/json').send('{"clientId": "a",');
    expectError(res, 400, 'VALIDATION_ERROR');
  });

  it('answers a JSON body that is not an object with 400', async () => {
    const res = await request(t.app).post('/api/v1/auth/token').set('Content-Type', 'application/json').send('"just a string"');
    expect(res.status).toBe(400);
    expect(['VALIDATION_ERROR', 'MISSING_CREDENTIALS']).toContain(res.body.code);
  });

  it('answers a huge body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await token({ clientId: client.clientId, clientSecret: 'x'.repeat(200_000) });
    expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an oversized secret without hashing it', async () => {
    expectError(await token({ clientId: client.clientId, clientSecret: 'x'.repeat(10_000) }), 401, 'INVALID_SECRET');
  });
});
