// The SDK's access token: fetched once and shared, refreshed once on a 401, and a clear error when the
// refreshed request is refused too (the secret was rotated and the SDK still holds the old one).
import { rotateClientSecret } from '../../src/admin/clients.js';
import { ChronosError } from '../../sdk/src/index.js';
import { recordingFetch, sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;

beforeAll(async () => {
  // No client cache: a rotation refuses the old tokens at the next request.
  t = await serveTestApp({ clientCacheTtlMs: 0 });
});

afterAll(async () => {
  await t?.close();
});

const tokenRequests = (requests: { path: string }[]) => requests.filter((r) => r.path === '/api/v1/auth/token').length;

describe('SDK access token', () => {
  it('asks for one token and shares it across calls, concurrent ones included', async () => {
    const client = await t.createClient();
    const recorded = recordingFetch();
    const chronos = sdkFor(t.url, client, { fetch: recorded.fetch });
    const firstPages = await Promise.all([1, 2, 3].map(() => chronos.transactions.list().next()));
    expect(firstPages.every((page) => page.done)).toBe(true);
    const jane = chronos.user('jane');
    await jane.createWallet();
    await jane.balance();
    expect(tokenRequests(recorded.requests)).toBe(1);
    expect(recorded.requests).toHaveLength(6);
  });

  it('after a secret rotation, refreshes once and then fails clearly', async () => {
    const client = await t.createClient();
    const recorded = recordingFetch();
    const kim = sdkFor(t.url, client, { fetch: recorded.fetch }).user('kim');
    await kim.createWallet();
    await new Promise((r) => setTimeout(r, 1100)); // tokens issued in an earlier second than the rotation are the ones it revokes
    await rotateClientSecret(t.ctx.db, client.clientId);
    const before = recorded.requests.length;

    const error = await kim.balance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChronosError);
    expect(error).toMatchObject({ status: 401, code: 'INVALID_SECRET' });
    expect((error as ChronosError).message).toContain(client.clientId);
    // The refused call, one token request (refused), nothing more.
    expect(recorded.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
      ['/api/v1/wallet/balance', 401],
      ['/api/v1/auth/token', 401],
    ]);
  });

  it('picks up a rotated secret from a secret provider on the refresh and goes on', async () => {
    const client = await t.createClient();
    let secret = client.clientSecret;
    const recorded = recordingFetch();
    const lee = sdkFor(t.url, client, { fetch: recorded.fetch, clientSecret: () => secret }).user('lee');
    await lee.createWallet();
    await new Promise((r) => setTimeout(r, 1100));
    secret = (await rotateClientSecret(t.ctx.db, client.clientId)).clientSecret;
    const before = recorded.requests.length;

    expect(await lee.balance()).toEqual({ balance: '0' });
    expect(recorded.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
      ['/api/v1/wallet/balance', 401],
      ['/api/v1/auth/token', 200],
      ['/api/v1/wallet/balance', 200],
    ]);
  });
});
