// POST /api/v1/wallets/disconnect against the real stack: a user's link is removed, with a
// wallet.disconnected event recorded in the same step; what is not this user's link is a 404.
import type { TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, type Actor } from '../support/operations.js';
import { linkEoa, linkWorld, newWallet } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;
let other: Actor;

beforeAll(async () => {
  ({ t, actor, other } = await linkWorld());
});
afterAll(() => t.close());
const disconnect = (who: Actor, userId: string, address: string) => api(t, who, userId).post('/api/v1/wallets/disconnect', { address });
const listed = async (who: Actor, userId: string) => (await api(t, who, userId).get('/api/v1/wallets')).body.wallets.map((w: { address: string }) => w.address);

describe('POST /api/v1/wallets/disconnect', () => {
  it('removes the link and records wallet.disconnected; the second time is a 404', async () => {
    const wallet = newWallet();
    const linked = await linkEoa(t, actor, 'alice', wallet);
    expect(linked.status).toBe(201);
    const res = await disconnect(actor, 'alice', wallet.address.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, address: wallet.address });
    expect(await listed(actor, 'alice')).toEqual([]);
    const [event] = await t.ctx.db
      .selectFrom('webhook_events')
      .select('body')
      .where('client_id', '=', actor.client.clientId)
      .where('event_type', '=', 'wallet.disconnected')
      .execute();
    expect(JSON.parse(event.body)).toMatchObject({
      event: 'wallet.disconnected',
      data: { address: wallet.address, userId: 'alice', linkedAt: linked.body.linkedAt, disconnectedAt: expect.any(String) },
    });
    expectError(await disconnect(actor, 'alice', wallet.address), 404, 'WALLET_LINK_NOT_FOUND');
    // Unlinked, the address can be linked again, by anyone of the client.
    expect((await linkEoa(t, actor, 'bob', wallet)).status).toBe(201);
  });

  it("cannot remove another user's link, nor another client's", async () => {
    const wallet = newWallet();
    expect((await linkEoa(t, actor, 'carol', wallet)).status).toBe(201);
    expectError(await disconnect(actor, 'mallory', wallet.address), 404, 'WALLET_LINK_NOT_FOUND');
    expectError(await disconnect(other, 'carol', wallet.address), 404, 'WALLET_LINK_NOT_FOUND');
    expect(await listed(actor, 'carol')).toEqual([wallet.address]);
  });

  it('refuses a body without a valid address', async () => {
    expectError(await disconnect(actor, 'alice', '0x12'), 400, 'VALIDATION_ERROR');
    expectError(await api(t, actor, 'alice').post('/api/v1/wallets/disconnect', {}), 400, 'VALIDATION_ERROR');
  });
});
