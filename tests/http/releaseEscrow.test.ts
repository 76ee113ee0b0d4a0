// POST /api/v1/payments/escrows/{id}/release against the real stack: the escrow's amount goes to the
// payee on-chain, the intent reads each step, the payment.* webhooks arrive verified, and an escrow
// moves once (a second or concurrent release, or a refund after it, is a 409).
import { parseEther } from 'viem';
import { expectError } from '../support/errors.js';
import { api, waitForTerminal } from '../support/operations.js';
import { balanceOf, ESCROW_STATE, escrowOnChain, paymentEvent } from '../payments/support.js';
import { useEscrowWorld } from '../payments/escrow-world.js';

const world = useEscrowWorld();

describe('a payment intent, funded then released', () => {
  it('moves the amount payer → escrow → payee, the intent reads each step, and every payment event arrives verified', async () => {
    const { payer, payee, payerAddress, payeeAddress } = await world.payerAndPayee('100');
    const res = await world.createIntent(payer, { amount: '40', payeeUserId: payee, metadata: { description: 'Task payment', durationSeconds: 3600 } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      intentId: expect.stringMatching(/^pi_[0-9a-z]{26}$/),
      escrowId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      transactionId: expect.stringMatching(/^tx_/),
      status: 'funding',
    });
    const { intentId, escrowId } = res.body;
    // While the funding is in flight its amount is debited from what the payer may spend.
    const during = await api(world.t, world.actor, payer).get('/api/v1/wallet/balances');
    expect(during.status).toBe(200);
    expect(Number(during.body.balances[0].available)).toBeLessThanOrEqual(60);

    expect(await waitForTerminal(world.t, world.actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    expect(await balanceOf(world.t, world.actor, payerAddress)).toBe(parseEther('60'));
    expect(await balanceOf(world.t, world.actor, world.t.config.contracts.escrow!)).toBeGreaterThanOrEqual(parseEther('40'));
    const onChain = await escrowOnChain(world.t, world.actor, escrowId);
    expect(onChain).toMatchObject({ payer: payerAddress, payee: payeeAddress, amount: parseEther('40'), state: ESCROW_STATE.Funded });
    const funded = await world.intentOf(intentId);
    expect(funded.status).toBe(200);
    expect(funded.body).toMatchObject({
      intentId,
      escrowId,
      status: 'funded',
      amount: '40',
      token: world.actor.client.tokenAddress,
      chain: world.t.config.chain.chainId,
      requester: payerAddress,
      executor: payeeAddress,
      payerUserId: payer,
      payeeUserId: payee,
      metadata: { description: 'Task payment', durationSeconds: 3600 },
    });
    expect(funded.body.transactions).toEqual([expect.objectContaining({ transactionId: res.body.transactionId, type: 'escrow_fund', status: 'CONFIRMED' })]);

    const release = await world.move(payer, escrowId, 'release');
    expect(release.status).toBe(202);
    expect(await waitForTerminal(world.t, world.actor, release.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_release' });
    expect(await balanceOf(world.t, world.actor, payeeAddress)).toBe(parseEther('40'));
    expect((await escrowOnChain(world.t, world.actor, escrowId)).state).toBe(ESCROW_STATE.Released);
    const released = await world.intentOf(intentId);
    expect(released.body.status).toBe('released');
    expect(released.body.transactions.map((x: { type: string }) => x.type)).toEqual(['escrow_fund', 'escrow_release']);

    const created = await paymentEvent(world.receiver, world.actor, 'payment.intent.created', escrowId);
    expect(created.data).toMatchObject({ intentId, escrowId, amount: '40', chain: world.t.config.chain.chainId, token: world.actor.client.tokenAddress });
    const fundedEvent = await paymentEvent(world.receiver, world.actor, 'payment.escrow.funded', escrowId);
    expect(fundedEvent.data).toMatchObject({ intentId, escrowId, amount: '40', transactionId: res.body.transactionId, payee: payeeAddress });
    expect(fundedEvent.data.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const releasedEvent = await paymentEvent(world.receiver, world.actor, 'payment.funds.released', escrowId);
    expect(releasedEvent.data).toMatchObject({ intentId, escrowId, amount: '40', transactionId: release.body.transactionId, to: payeeAddress });
  });

  it('refuses a second release and a refund after the release (409), and lets only one of two concurrent releases through', async () => {
    const { payer, payee } = await world.payerAndPayee('100');
    const { escrowId } = await world.fundedIntent(payer, payee);
    const [a, b] = await Promise.all([world.move(payer, escrowId, 'release'), world.move(payer, escrowId, 'release')]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    expectError(loser, 409, 'ESCROW_ALREADY_SETTLED');
    const winner = a.status === 202 ? a : b;
    expect(await waitForTerminal(world.t, world.actor, winner.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expectError(await world.move(payer, escrowId, 'release'), 409, 'ESCROW_ALREADY_SETTLED');
    expectError(await world.move(payer, escrowId, 'refund', { reason: 'too late' }), 409, 'ESCROW_ALREADY_SETTLED');
    const settled = await world.t.ctx.db.selectFrom('transactions').select(['type', 'status']).where('escrow_id', '=', escrowId).execute();
    expect(settled.filter((row) => row.type !== 'escrow_fund')).toEqual([{ type: 'escrow_release', status: 'CONFIRMED' }]);
  });
});
