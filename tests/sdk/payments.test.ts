// The SDK's payment calls on the real stack: an intent funded, read and released; one created unfunded,
// funded and refunded; a withdrawal; the client's tokens and the user's balances; and a typed 409.
import { parseEther } from 'viem';
import { ChronosError, type Chronos } from '../../sdk/src/index.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;
let actor: Actor;
let chronos: Chronos;

beforeAll(async () => {
  t = await serveTestApp({ worker: true });
  actor = await createMintingClient(t);
  chronos = sdkFor(t.url, actor.client);
});
afterAll(async () => {
  await t?.close();
});

describe('the SDK payments', () => {
  it('funds, reads and releases an intent; refunds an unfunded one once funded; withdraws; lists tokens and balances', async () => {
    const payer = chronos.user('sdk-payer');
    const payee = chronos.user('sdk-payee');
    await payer.createWallet();
    await payee.createWallet();
    const mint = await payer.mint({ receiptId: 'sdk-pay-1', amount: parseEther('100'), sign: actor.signer });
    expect(await mint.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED' });

    const intent = await payer.payments.createIntent({ amount: '30', payeeUserId: payee.userId, metadata: { description: 'job', durationSeconds: 600 } });
    expect(intent).toMatchObject({ intentId: expect.stringMatching(/^pi_/), status: 'funding' });
    expect(await intent.funding!.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    expect(await chronos.payments.intent(intent.intentId)).toMatchObject({ status: 'funded', amount: '30', payeeUserId: payee.userId });
    const release = await payer.payments.release(intent.escrowId);
    expect(await release.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'escrow_release' });
    expect(await payee.balance()).toEqual({ balance: '30' });
    const again = await payer.payments.release(intent.escrowId).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ChronosError);
    expect(again).toMatchObject({ code: 'ESCROW_ALREADY_SETTLED', status: 409 });

    const unfunded = await payer.payments.createIntent({ amount: '10', payeeUserId: payee.userId, fund: false, metadata: { durationSeconds: 600 } });
    expect(unfunded.funding).toBeUndefined();
    expect(unfunded.status).toBe('created');
    const funding = await payer.payments.fund(unfunded.escrowId);
    expect(await funding.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED' });
    const refund = await payer.payments.refund(unfunded.escrowId, { reason: 'cancelled' });
    expect(await refund.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'escrow_refund' });
    expect((await chronos.payments.intent(unfunded.intentId)).status).toBe('refunded');

    const estimate = await payer.payments.estimateGas({ operation: 'withdrawal', params: { to: '0x000000000000000000000000000000000000dEaD', amount: '5' } });
    expect(estimate).toMatchObject({ operation: 'withdrawal', wouldAccept: true, basis: 'simulation', gasLimit: expect.stringMatching(/^[1-9]\d*$/) });
    const withdrawal = await payer.payments.withdraw({ to: '0x000000000000000000000000000000000000dEaD', amount: '5' });
    expect(await withdrawal.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'withdrawal' });

    const [token] = await chronos.payments.tokens();
    expect(token).toMatchObject({ address: actor.client.tokenAddress, decimals: 18 });
    expect(await payer.balances()).toMatchObject({ balances: [{ token: actor.client.tokenAddress, balance: '65', pending: '0', available: '65' }] });
  });
});
