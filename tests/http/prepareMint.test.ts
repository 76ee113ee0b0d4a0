// POST /mint/prepare looks only at the asking client's token: a receipt id another client has in
// flight is neither refused nor revealed (no worker runs here, so accepted mints stay in flight).
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, requestMint, type Actor } from '../support/operations.js';

let t: TestApp;
let a: Actor;
let b: Actor;

beforeAll(async () => {
  t = await createTestApp();
  a = await createMintingClient(t, { name: 'client A' });
  b = await createMintingClient(t, { name: 'client B' });
});
afterAll(() => t.close());

describe('POST /api/v1/mint/prepare while another client has the same receipt id in flight', () => {
  it("answers the asking client as if the other client's receipt did not exist, and still refuses the owner's own reuse", async () => {
    const inFlight = await requestMint(t, a, 'alice', { receiptId: 'invoice-7', amountWei: 1n });
    expect(inFlight.status).toBe(202);
    const status = await api(t, a).get(`/api/v1/transactions/${inFlight.body.transactionId}`);
    expect(status.body.status).toBe('ACCEPTED');

    const bob = await createWallet(t, b, 'bob');
    const res = await api(t, b, 'bob').post('/api/v1/mint/prepare', { receiptId: 'invoice-7', userAddress: bob });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contractAddress: b.client.tokenAddress, nonce: '0' });

    const alice = await createWallet(t, a, 'alice');
    expectError(await api(t, a, 'alice').post('/api/v1/mint/prepare', { receiptId: 'invoice-7', userAddress: alice }), 409, 'RECEIPT_ALREADY_MINTED');
  });

  it("accepts the other client's mint of that receipt id while the first is still in flight", async () => {
    await requestMint(t, a, 'carol', { receiptId: 'invoice-8', amountWei: 1n });
    const res = await requestMint(t, b, 'dave', { receiptId: 'invoice-8', amountWei: 1n });
    expect(res.status).toBe(202);
  });
});
