import request from 'supertest';
import jwt from 'jsonwebtoken';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { revokeClient, rotateClientSecret, setScopes, unrevokeClient } from '../../src/admin/clients.js';
import { bearerTokenOf, MAX_AUTHORIZATION_LENGTH } from '../../src/http/authenticate.js';

let t: TestApp;
let client: TestClient;
let good: string;

beforeAll(async () => {
  t = await createTestApp();
  client = await t.createClient();
  good = await t.tokenFor(client);
});
afterAll(() => t.close());

const create = (authorization?: string) => {
  const req = request(t.app).post('/api/v1/wallet/create').set('X-User-Id', 'alice');
  return authorization === undefined ? req : req.set('Authorization', authorization);
};

function sign(payload: object, options: jwt.SignOptions = {}, secret = t.config.jwt.secret) {
  return jwt.sign({ scope: 'wallet mint transfer claim', ...payload }, secret, {
    algorithm: 'HS256',
    subject: client.clientId,
    issuer: 'chronos',
    audience: 'chronos-api',
    expiresIn: 600,
    jwtid: 'j1',
    ...options,
  });
}

describe('Bearer authentication', () => {
  it('accepts a token from /auth/token', async () => {
    expect((await create(`Bearer ${good}`)).status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
    ['a bare token without scheme', 'abc.def.ghi'],
    ['a malformed JWT', 'Bearer not-a-jwt'],
    ['a JWT with garbage segments', 'Bearer aaa.bbb.ccc'],
  ])('refuses %s with 401 UNAUTHORIZED', async (_name, header) => {
    expectError(await create(header), 401, 'UNAUTHORIZED');
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign(
      { scope: 'wallet', sub: client.clientId, iss: 'chronos', aud: 'chronos-api', jti: 'j', iat: now - 3700, exp: now - 100 },
      t.config.jwt.secret,
      { algorithm: 'HS256' },
    );
    expectError(await create(`Bearer ${expired}`), 401, 'UNAUTHORIZED');
  });

  it('refuses a token signed with another secret', async () => {
    expectError(await create(`Bearer ${sign({}, {}, 'some-other-secret-that-is-long-enough-xxxxx')}`), 401, 'UNAUTHORIZED');
  });

  it('refuses alg: none', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        sub: client.clientId,
        scope: 'wallet',
        iss: 'chronos',
        aud: 'chronos-api',
        jti: 'x',
        exp: Math.floor(Date.now() / 1000) + 600,
      }),
    ).toString('base64url');
    expectError(await create(`Bearer ${header}.${body}.`), 401, 'UNAUTHORIZED');
  });

  it('refuses a token for another audience or issuer', async () => {
    expectError(await create(`Bearer ${sign({}, { audience: 'someone-else' })}`), 401, 'UNAUTHORIZED');
    expectError(await create(`Bearer ${sign({}, { issuer: 'someone-else' })}`), 401, 'UNAUTHORIZED');
  });

  it('refuses a token whose subject is not a client', async () => {
    expectError(await create(`Bearer ${sign({}, { subject: 'client_unknown' })}`), 401, 'UNAUTHORIZED');
  });

  it('refuses a token that lacks the scope with 403 FORBIDDEN', async () => {
    const limited = await t.createClient({ scopes: ['mint'] });
    expectError(await create(`Bearer ${await t.tokenFor(limited)}`), 403, 'FORBIDDEN');
  });

  it('stops honouring a scope removed from the client, even in tokens issued before', async () => {
    const c = await t.createClient();
    const tok = await t.tokenFor(c);
    expect((await create(`Bearer ${tok}`)).status).toBe(200);
    await setScopes(t.ctx.db, c.clientId, ['mint']);
    await new Promise((r) => setTimeout(r, 2_200));
    expectError(await create(`Bearer ${tok}`), 403, 'FORBIDDEN');
  });

  it("stops a revoked client's tokens within seconds", async () => {
    const c = await t.createClient();
    const tok = await t.tokenFor(c);
    expect((await create(`Bearer ${tok}`)).status).toBe(200);
    await revokeClient(t.ctx.db, c.clientId);
    await new Promise((r) => setTimeout(r, 2_200));
    expectError(await create(`Bearer ${tok}`), 401, 'UNAUTHORIZED');
  });

  it('stops tokens issued before rotate-secret within seconds, and takes tokens of the new secret at once', async () => {
    const c = await t.createClient();
    const before = await t.tokenFor(c);
    expect((await create(`Bearer ${before}`)).status).toBe(200);
    await nextSecond(); // tokens carry their issue time in whole seconds
    const { clientSecret } = await rotateClientSecret(t.ctx.db, c.clientId);
    const after = await t.tokenFor({ ...c, clientSecret });
    await sleep(2_200); // the client cache's lifetime
    expectError(await create(`Bearer ${before}`), 401, 'UNAUTHORIZED');
    expect((await create(`Bearer ${after}`)).status).toBe(200);
  });

  it('lets an unrevoked client work again with new tokens, while its tokens from before stay refused', async () => {
    const c = await t.createClient();
    const before = await t.tokenFor(c);
    await revokeClient(t.ctx.db, c.clientId);
    await sleep(2_200);
    expectError(await create(`Bearer ${before}`), 401, 'UNAUTHORIZED');
    expectError(await request(t.app).post('/api/v1/auth/token').send({ clientId: c.clientId, clientSecret: c.clientSecret }), 401, 'INVALID_SECRET');
    await nextSecond();
    expect(await unrevokeClient(t.ctx.db, c.clientId)).toMatchObject({ clientId: c.clientId, revoked: false });
    const after = await t.tokenFor(c);
    await sleep(2_200);
    expect((await create(`Bearer ${after}`)).status).toBe(200);
    expectError(await create(`Bearer ${before}`), 401, 'UNAUTHORIZED');
  });
});

describe('reading the Bearer token from the header', () => {
  it.each([
    ['Bearer aaa.bbb.ccc', 'aaa.bbb.ccc'],
    ['Bearer eyJh-_.eyJ=.sig_-=', 'eyJh-_.eyJ=.sig_-='],
    ['Bearer aaa.bbb.', 'aaa.bbb.'],
    ['Bearer aaa.bbb', undefined],
    ['Bearer aaa.bbb.ccc.ddd', undefined],
    ['Bearer .bbb.ccc', undefined],
    ['Bearer aaa..ccc', undefined],
    ['Bearer aaa.bbb.c+c', undefined],
    ['Bearer aaa.bbb.ccc ', undefined],
    ['bearer aaa.bbb.ccc', undefined],
    ['Bearer  aaa.bbb.ccc', undefined],
    ['Basic aaa.bbb.ccc', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it('refuses a header longer than the cap without reading it, and takes one just under it', () => {
    const token = (length: number) => `a.b.${'c'.repeat(length - 'Bearer a.b.'.length)}`;
    expect(bearerTokenOf(`Bearer ${token(MAX_AUTHORIZATION_LENGTH)}`)).toBe(token(MAX_AUTHORIZATION_LENGTH));
    expect(bearerTokenOf(`Bearer ${token(MAX_AUTHORIZATION_LENGTH + 1)}`)).toBeUndefined();
  });

  it('refuses the near-misses that made the old regex backtrack quadratically, long or short', async () => {
    // `Bearer a.` + 16,000 × `a` + `!` cost ~130 ms of event loop per request with the old pattern.
    expect(bearerTokenOf(`Bearer a.${'a'.repeat(16_000)}!`)).toBeUndefined();
    expect(bearerTokenOf(`Bearer a.${'a'.repeat(2_000)}!`)).toBeUndefined();
    expect(bearerTokenOf(`Bearer a.${'a'.repeat(1_000)}.${'a'.repeat(900)}!`)).toBeUndefined();
    expectError(await create(`Bearer a.${'a'.repeat(16_000)}!`), 401, 'UNAUTHORIZED');
  });
});

describe('Unknown routes and methods', () => {
  it('answers an unknown path with a JSON 404', async () => {
    expectError(await request(t.app).get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectError(await request(t.app).get('/'), 404, 'NOT_FOUND');
  });

  it('answers a wrong method on a known path as JSON, never HTML', async () => {
    const res = await request(t.app).delete('/api/v1/wallet/create').set('Authorization', `Bearer ${good}`);
    expect([404, 405]).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(typeof res.body.code).toBe('string');
  });

  it('echoes a caller-supplied X-Request-Id and makes one otherwise', async () => {
    const given = await create(`Bearer ${good}`).set('X-Request-Id', 'req-123');
    expect(given.headers['x-request-id']).toBe('req-123');
    const made = await create(`Bearer ${good}`);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits into the next whole second, so that a token issued before it has an earlier `iat`. */
const nextSecond = () => sleep(1_000 - (Date.now() % 1_000) + 20);
