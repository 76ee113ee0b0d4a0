// POST /api/v1/payments/escrows/{id}/refund against the real stack: the client refunds a funded escrow
// to its payer with a reason, and after the deadline the refund is what the escrow allows on-chain.
import { parseEther } from 'viem';
import { expectError } from '../support/errors.js';
import { waitForTerminal } from '../support/operations.js';
import { balanceOf, ESCROW_STATE, escrowOnChain, paymentEvent } from '../payments/support.js';
import { useEscrowWorld } from '../payments/escrow-world.js';

const world = useEscrowWorld();

describe('a funded escrow, refunded', () => {
  it('refunds a funded escrow to its payer when the client asks, with its reason in the event', async () => {
    const { payer, payee, payerAddress, payeeAddress } = await world.payerAndPayee('100');
    const { intentId, escrowId } = await world.fundedIntent(payer, payee, { amount: '25' });
    expect(await balanceOf(world.t, world.actor, payerAddress)).toBe(parseEther('75'));
    const refund = await world.move(payer, escrowId, 'refund', { reason: 'Task not completed' });
    expect(refund.status).toBe(202);
    expect((await world.intentOf(intentId)).body.status).toMatch(/^(refunding|refunded)$/);
    expect(await waitForTerminal(world.t, world.actor, refund.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_refund' });
    expect(await balanceOf(world.t, world.actor, payerAddress)).toBe(parseEther('100'));
    expect(await balanceOf(world.t, world.actor, payeeAddress)).toBe(0n);
    expect((await world.intentOf(intentId)).body.status).toBe('refunded');
    expect((await escrowOnChain(world.t, world.actor, escrowId)).state).toBe(ESCROW_STATE.Refunded);
    const event = await paymentEvent(world.receiver, world.actor, 'payment.funds.refunded', escrowId);
    expect(event.data).toMatchObject({ intentId, escrowId, amount: '25', to: payerAddress, reason: 'Task not completed' });
    expectError(await world.move(payer, escrowId, 'release'), 409, 'ESCROW_ALREADY_SETTLED');
  });

  it('refunds the payer after the deadline has passed on-chain', async () => {
    const { payer, payee, payerAddress } = await world.payerAndPayee('10');
    // The deadline counts from the accept: long enough that a loaded machine still includes the funding
    // before it (one included after it reverts, as it should), short enough to wait out.
    const { escrowId } = await world.fundedIntent(payer, payee, { amount: '10', durationSeconds: 8 });
    const { deadline } = await escrowOnChain(world.t, world.actor, escrowId);
    // anvil stamps each block with the wall clock: wait until a new block is past the deadline.
    while (BigInt(Math.floor(Date.now() / 1000)) <= deadline) await new Promise((r) => setTimeout(r, 200));
    const refund = await world.move(payer, escrowId, 'refund', { reason: 'deadline passed' });
    expect(refund.status).toBe(202);
    const done = await waitForTerminal(world.t, world.actor, refund.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED' });
    const block = await world.t.ctx.publicClient.getBlock({ blockNumber: BigInt(done.blockNumber) });
    expect(block.timestamp).toBeGreaterThan(deadline);
    expect(await balanceOf(world.t, world.actor, payerAddress)).toBe(parseEther('10'));
  });
});
