// GET /api/v1/wallets against the real stack: the X-User-Id user's links, oldest first, and nobody
// else's.
import type { TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, type Actor } from '../support/operations.js';
import { linkEoa, linkWorld, newWallet } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;
let other: Actor;

beforeAll(async () => {
  ({ t, actor, other } = await linkWorld());
});
afterAll(() => t.close());

describe('GET /api/v1/wallets', () => {
  it("lists the user's links oldest first, not another user's or another client's", async () => {
    const [first, second, bobs] = [newWallet(), newWallet(), newWallet()];
    const a = await linkEoa(t, actor, 'alice', first);
    const b = await linkEoa(t, actor, 'alice', second);
    await linkEoa(t, actor, 'bob', bobs);
    await linkEoa(t, other, 'alice', newWallet());
    const res = await api(t, actor, 'alice').get('/api/v1/wallets');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ wallets: [a.body, b.body] });
    expect((await api(t, actor, 'nobody').get('/api/v1/wallets')).body).toEqual({ wallets: [] });
  });

  it('needs X-User-Id and the wallet scope', async () => {
    expectError(await api(t, actor).get('/api/v1/wallets'), 400, 'VALIDATION_ERROR');
    const minter = await createMintingClient(t, { scopes: ['mint'] });
    expectError(await api(t, minter, 'alice').get('/api/v1/wallets'), 403, 'FORBIDDEN');
  });
});
