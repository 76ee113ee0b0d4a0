// One client can never see or move another client's data, even when it names the same user id, an
// address or a cursor it got hold of. Already covered elsewhere, not repeated here: another client's
// transaction is a 404 (tests/http/getTransactionStatus.test.ts), its deliveries are neither listed
// (tests/webhooks/listWebhookDeliveries.test.ts) nor redeliverable (tests/webhooks/redeliverWebhookDelivery.test.ts),
// its idempotency keys are its own (tests/http/transferTokens.test.ts) and the same user id gets
// another wallet (tests/http/createWallet.test.ts).
import { erc20Abi, parseEther, type Address } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { endTransaction } from '../webhooks/support/deliveries.js';

let t: TestApp;
let a: Actor;
let b: Actor;
let aliceOfA: Address;

beforeAll(async () => {
  t = await createTestApp();
  a = await createMintingClient(t, { name: 'client A', webhookUrl: 'http://127.0.0.1:9/a' });
  b = await createMintingClient(t, { name: 'client B', webhookUrl: 'http://127.0.0.1:9/b' });
  aliceOfA = await createWallet(t, a, 'alice');
  await fundDirectly(t, a, { to: aliceOfA, amountWei: parseEther('100') });
});
afterAll(() => t.close());

const balanceOf = (address: Address) =>
  t.ctx.publicClient.readContract({ address: a.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });

describe("another client's user", () => {
  it('has no balance to read before that client creates its own wallet for the same id', async () => {
    expectError(await api(t, b, 'alice').get('/api/v1/wallet/balance'), 404, 'WALLET_NOT_FOUND');
  });

  it('cannot be spent from: the same user id under another client is another, empty wallet', async () => {
    const aliceOfB = await createWallet(t, b, 'alice');
    expect(aliceOfB).not.toBe(aliceOfA);
    expectError(await api(t, b, 'alice').post('/api/v1/wallet/transfer', { to: aliceOfB, amount: '1' }), 400, 'INSUFFICIENT_BALANCE');
    expectError(await api(t, b, 'alice').post('/api/v1/claims/execute', { claimId: 'steal-1', amount: '1' }), 400, 'INSUFFICIENT_BALANCE');
    expect((await api(t, b, 'alice').get('/api/v1/wallet/balance')).body).toEqual({ balance: '0' });
    expect(await balanceOf(aliceOfA)).toBe(parseEther('100'));
  });

  it('cannot have a mint prepared for their wallet by naming its address', async () => {
    expectError(await api(t, b, 'alice').post('/api/v1/mint/prepare', { receiptId: 'steal-mint', userAddress: aliceOfA }), 400, 'ADDRESS_MISMATCH');
    expectError(await api(t, b, 'bob-has-no-wallet').post('/api/v1/mint/prepare', { receiptId: 'steal-mint', userAddress: aliceOfA }), 400, 'WALLET_ERROR');
  });
});

describe("another client's webhook deliveries", () => {
  it("stay hidden when a client pages with a cursor taken from the other client's listing", async () => {
    for (let i = 0; i < 3; i++) await endTransaction(t.ctx.db, { clientId: a.client.clientId, userId: 'alice' });
    await endTransaction(t.ctx.db, { clientId: b.client.clientId, userId: 'alice' });
    const pageOfA = await api(t, a).get('/api/v1/webhooks/deliveries?limit=1');
    expect(pageOfA.body.data.hasMore).toBe(true);
    const idsOfA = new Set((await api(t, a).get('/api/v1/webhooks/deliveries?limit=100')).body.data.deliveries.map((d: { id: string }) => d.id));

    const withStolenCursor = await api(t, b).get(`/api/v1/webhooks/deliveries?limit=100&cursor=${pageOfA.body.data.cursor}`);
    expect(withStolenCursor.status).toBe(200);
    for (const delivery of withStolenCursor.body.data.deliveries) expect(idsOfA.has(delivery.id)).toBe(false);
    const everythingOfB = (await api(t, b).get('/api/v1/webhooks/deliveries?limit=100')).body.data.deliveries;
    expect(everythingOfB).toHaveLength(1);
    for (const delivery of everythingOfB) expect(idsOfA.has(delivery.id)).toBe(false);
  });
});
