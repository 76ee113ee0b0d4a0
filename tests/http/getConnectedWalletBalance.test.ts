// GET /api/v1/wallets/balance against the real stack: the client's token balances of a wallet the
// user linked, or of the user's own smart account, in GET /wallet/balances's shape; any other
// address (unlinked, another user's, another client's link) is a 404.
import { parseEther } from 'viem';
import type { TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createWallet, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { linkEoa, linkWorld, newWallet } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;
let other: Actor;

beforeAll(async () => {
  ({ t, actor, other } = await linkWorld());
});
afterAll(() => t.close());
const balance = (who: Actor, userId: string, address: string) => api(t, who, userId).get(`/api/v1/wallets/balance?address=${address}`);

describe('GET /api/v1/wallets/balance', () => {
  it("answers a linked wallet's balances of the client's tokens, nothing pending", async () => {
    const wallet = newWallet();
    expect((await linkEoa(t, actor, 'alice', wallet)).status).toBe(201);
    await fundDirectly(t, actor, { to: wallet.address, amountWei: parseEther('7.5') });
    const res = await balance(actor, 'alice', wallet.address.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      address: wallet.address,
      balances: [{ token: actor.client.tokenAddress, symbol: expect.any(String), balance: '7.5', pending: '0', available: '7.5' }],
    });
  });

  it("answers the user's own smart account as GET /wallet/balances does", async () => {
    const own = await createWallet(t, actor, 'bob');
    await fundDirectly(t, actor, { to: own, amountWei: parseEther('3') });
    const res = await balance(actor, 'bob', own);
    expect(res.status).toBe(200);
    expect(res.body).toEqual((await api(t, actor, 'bob').get('/api/v1/wallet/balances')).body);
    expect(res.body.balances[0]).toMatchObject({ balance: '3', available: '3' });
  });

  it("is a 404 for any other address: unlinked, another user's link or account, another client's link", async () => {
    const wallet = newWallet();
    expect((await linkEoa(t, actor, 'carol', wallet)).status).toBe(201);
    expectError(await balance(actor, 'carol', newWallet().address), 404, 'WALLET_LINK_NOT_FOUND');
    expectError(await balance(actor, 'dave', wallet.address), 404, 'WALLET_LINK_NOT_FOUND');
    expectError(await balance(actor, 'dave', await createWallet(t, actor, 'carol')), 404, 'WALLET_LINK_NOT_FOUND');
    expectError(await balance(other, 'carol', wallet.address), 404, 'WALLET_LINK_NOT_FOUND');
    expectError(await balance(actor, 'carol', '0xnot-an-address'), 400, 'VALIDATION_ERROR');
  });
});
