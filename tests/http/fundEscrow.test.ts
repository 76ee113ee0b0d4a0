// Creating payment intents and funding their escrows against the real stack: POST /payments/intents
// (funded at once, or created unfunded and funded by POST /payments/escrows/{id}/fund), one funding
// per escrow, an escrow no other client or user can see or move, refusals that record nothing, and
// an idempotent replay.
import { getAddress, parseEther } from 'viem';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, waitForTerminal } from '../support/operations.js';
import { balanceOf, ESCROW_STATE, escrowOnChain, paymentEvent } from '../payments/support.js';
import { useEscrowWorld } from '../payments/escrow-world.js';

const world = useEscrowWorld();

describe('an intent created unfunded', () => {
  it('is created (201), cannot be released before it is funded, is funded once, then released', async () => {
    const { payer, payeeAddress } = await world.payerAndPayee('30');
    const res = await world.createIntent(payer, { amount: '30', payeeAddress: payeeAddress.toLowerCase(), fund: false, metadata: { durationSeconds: 600 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ intentId: expect.stringMatching(/^pi_/), escrowId: expect.stringMatching(/^0x[0-9a-f]{64}$/), status: 'created' });
    const { intentId, escrowId } = res.body;
    expect((await world.intentOf(intentId)).body).toMatchObject({ status: 'created', transactions: [], executor: payeeAddress, payeeUserId: null });
    expectError(await world.move(payer, escrowId, 'release'), 409, 'ESCROW_NOT_FUNDED');
    await paymentEvent(world.receiver, world.actor, 'payment.intent.created', escrowId);

    const funding = await world.move(payer, escrowId, 'fund');
    expect(funding.status).toBe(202);
    expectError(await world.move(payer, escrowId, 'fund'), 409, 'ESCROW_ALREADY_FUNDED');
    expect(await waitForTerminal(world.t, world.actor, funding.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    expect((await world.intentOf(intentId)).body.status).toBe('funded');
    const release = await world.move(payer, escrowId, 'release');
    expect(await waitForTerminal(world.t, world.actor, release.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceOf(world.t, world.actor, payeeAddress)).toBe(parseEther('30'));
  });
});

describe('who may see and move an escrow', () => {
  it("answers 404 for another client's intent and escrow, and for a user who is not the payer", async () => {
    const { payer, payee } = await world.payerAndPayee('10');
    const { intentId, escrowId } = await world.fundedIntent(payer, payee, { amount: '5' });
    await createWallet(world.t, world.other, payer);
    expectError(await world.intentOf(intentId, world.other), 404, 'INTENT_NOT_FOUND');
    for (const action of ['fund', 'release', 'refund'] as const) {
      expectError(await world.move(payer, escrowId, action, {}, world.other), 404, 'ESCROW_NOT_FOUND');
      expectError(await world.move(payee, escrowId, action), 404, 'ESCROW_NOT_FOUND');
    }
    expectError(await world.move(payer, `0x${'ab'.repeat(32)}`, 'release'), 404, 'ESCROW_NOT_FOUND');
    expectError(await world.intentOf('pi_00000000000000000000000000'), 404, 'INTENT_NOT_FOUND');
    expect((await escrowOnChain(world.t, world.actor, escrowId)).state).toBe(ESCROW_STATE.Funded);
  });

  it('needs the payments scope', async () => {
    const scoped = await createMintingClient(world.t, { scopes: ['wallet', 'mint', 'transfer', 'claim'] });
    await createWallet(world.t, scoped, 'someone');
    const res = await api(world.t, scoped, 'someone').post('/api/v1/payments/intents', {
      amount: '1',
      payeeAddress: getAddress(`0x${'11'.repeat(20)}`),
      metadata: { durationSeconds: 60 },
    });
    expectError(res, 403, 'FORBIDDEN');
  });
});

describe('refusals change nothing', () => {
  const intents = async () =>
    Number(
      (
        await world.t.ctx.db
          .selectFrom('payment_intents')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses what cannot be accepted, recording no intent and no operation', async () => {
    const { payer, payee, payeeAddress } = await world.payerAndPayee('5');
    const before = await intents();
    const body = { amount: '1', payeeUserId: payee, metadata: { durationSeconds: 60 } };
    expectError(await world.createIntent(payer, { ...body, amount: '6' }), 400, 'INSUFFICIENT_BALANCE');
    expectError(await world.createIntent(payer, { ...body, payeeAddress }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { amount: '1', metadata: { durationSeconds: 60 } }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, chain: 1 }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, token: world.other.client.tokenAddress }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, userId: 'someone-else' }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, amount: '0' }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, metadata: { durationSeconds: 0 } }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, payeeUserId: payer }), 400, 'VALIDATION_ERROR');
    expectError(await world.createIntent(payer, { ...body, payeeUserId: 'nobody' }), 404, 'WALLET_NOT_FOUND');
    expectError(await world.createIntent(payer, { ...body, chain: String(world.t.config.chain.chainId), amount: '6' }), 400, 'INSUFFICIENT_BALANCE');
    expect(await intents()).toBe(before);
    const rows = await world.t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', payer).where('type', '=', 'escrow_fund').execute();
    expect(rows).toEqual([]);
  });

  it('replays a retried intent creation with the same key: one intent, one funding', async () => {
    const { payer, payee } = await world.payerAndPayee('10');
    const body = { amount: '2', payeeUserId: payee, metadata: { durationSeconds: 60 } };
    const first = await world.createIntent(payer, body, { 'X-Idempotency-Key': `intent-${payer}` });
    const again = await world.createIntent(payer, body, { 'X-Idempotency-Key': `intent-${payer}` });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ intentId: first.body.intentId, escrowId: first.body.escrowId, transactionId: first.body.transactionId });
    const rows = await world.t.ctx.db.selectFrom('payment_intents').select('id').where('payer_user_id', '=', payer).execute();
    expect(rows).toHaveLength(1);
  });
});
