// Payment intents and their escrows against the real stack: each move is a sponsored UserOperation
// from the payer's smart account through ChronosEscrow, with the intent's status read from those
// operations, one move per escrow (database constraint), and the payment.* webhooks beside the
// transaction.* ones.
import { getAddress, parseEther, type Hex } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { balanceOf, ESCROW_STATE, escrowOnChain, paymentEvent } from './support.js';

let t: TestApp;
let actor: Actor;
let other: Actor;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t, { webhookUrl: receiver.url() });
  other = await createMintingClient(t);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

let users = 0;
/** A payer holding `tokens` and a payee, both with wallets. */
async function payerAndPayee(tokens = '100') {
  const n = ++users;
  const payer = `payer-${n}`;
  const payee = `payee-${n}`;
  const payerAddress = await createWallet(t, actor, payer);
  const payeeAddress = await createWallet(t, actor, payee);
  await fund(t, actor, payer, tokens);
  return { payer, payee, payerAddress, payeeAddress };
}

const createIntent = (userId: string, body: object, headers: Record<string, string> = {}) =>
  api(t, actor, userId).post('/api/v1/payments/intents', body, headers);
const move = (userId: string, escrowId: string, action: 'fund' | 'release' | 'refund', body: object = {}, as: Actor = actor) =>
  api(t, as, userId).post(`/api/v1/payments/escrows/${escrowId}/${action}`, body);
const intentOf = (intentId: string, as: Actor = actor) => api(t, as).get(`/api/v1/payments/intents/${intentId}`);

/** Creates and funds an intent of `amount` from payer to payee; returns its ids once the funding is CONFIRMED. */
async function fundedIntent(payer: string, payee: string, { amount = '40', durationSeconds = 3600 } = {}) {
  const res = await createIntent(payer, { amount, payeeUserId: payee, metadata: { description: 'Task payment', durationSeconds } });
  expect(res.status).toBe(202);
  const done = await waitForTerminal(t, actor, res.body.transactionId);
  expect(done).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
  return res.body as { intentId: string; escrowId: Hex; transactionId: string };
}

describe('a payment intent, funded then released', () => {
  it('moves the amount payer → escrow → payee, the intent reads each step, and every payment event arrives verified', async () => {
    const { payer, payee, payerAddress, payeeAddress } = await payerAndPayee('100');
    const res = await createIntent(payer, { amount: '40', payeeUserId: payee, metadata: { description: 'Task payment', durationSeconds: 3600 } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      intentId: expect.stringMatching(/^pi_[0-9a-z]{26}$/),
      escrowId: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      transactionId: expect.stringMatching(/^tx_/),
      status: 'funding',
    });
    const { intentId, escrowId } = res.body;
    // While the funding is in flight its amount is debited from what the payer may spend.
    const during = await api(t, actor, payer).get('/api/v1/wallet/balances');
    expect(during.status).toBe(200);
    expect(Number(during.body.balances[0].available)).toBeLessThanOrEqual(60);

    expect(await waitForTerminal(t, actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    expect(await balanceOf(t, actor, payerAddress)).toBe(parseEther('60'));
    expect(await balanceOf(t, actor, t.config.contracts.escrow!)).toBeGreaterThanOrEqual(parseEther('40'));
    const onChain = await escrowOnChain(t, actor, escrowId);
    expect(onChain).toMatchObject({ payer: payerAddress, payee: payeeAddress, amount: parseEther('40'), state: ESCROW_STATE.Funded });
    const funded = await intentOf(intentId);
    expect(funded.status).toBe(200);
    expect(funded.body).toMatchObject({
      intentId,
      escrowId,
      status: 'funded',
      amount: '40',
      token: actor.client.tokenAddress,
      chain: t.config.chain.chainId,
      requester: payerAddress,
      executor: payeeAddress,
      payerUserId: payer,
      payeeUserId: payee,
      metadata: { description: 'Task payment', durationSeconds: 3600 },
    });
    expect(funded.body.transactions).toEqual([expect.objectContaining({ transactionId: res.body.transactionId, type: 'escrow_fund', status: 'CONFIRMED' })]);

    const release = await move(payer, escrowId, 'release');
    expect(release.status).toBe(202);
    expect(await waitForTerminal(t, actor, release.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_release' });
    expect(await balanceOf(t, actor, payeeAddress)).toBe(parseEther('40'));
    expect((await escrowOnChain(t, actor, escrowId)).state).toBe(ESCROW_STATE.Released);
    const released = await intentOf(intentId);
    expect(released.body.status).toBe('released');
    expect(released.body.transactions.map((x: { type: string }) => x.type)).toEqual(['escrow_fund', 'escrow_release']);

    const created = await paymentEvent(receiver, actor, 'payment.intent.created', escrowId);
    expect(created.data).toMatchObject({ intentId, escrowId, amount: '40', chain: t.config.chain.chainId, token: actor.client.tokenAddress });
    const fundedEvent = await paymentEvent(receiver, actor, 'payment.escrow.funded', escrowId);
    expect(fundedEvent.data).toMatchObject({ intentId, escrowId, amount: '40', transactionId: res.body.transactionId, payee: payeeAddress });
    expect(fundedEvent.data.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    const releasedEvent = await paymentEvent(receiver, actor, 'payment.funds.released', escrowId);
    expect(releasedEvent.data).toMatchObject({ intentId, escrowId, amount: '40', transactionId: release.body.transactionId, to: payeeAddress });
  });

  it('refuses a second release and a refund after the release (409), and lets only one of two concurrent releases through', async () => {
    const { payer, payee } = await payerAndPayee('100');
    const { escrowId } = await fundedIntent(payer, payee);
    const [a, b] = await Promise.all([move(payer, escrowId, 'release'), move(payer, escrowId, 'release')]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const loser = a.status === 409 ? a : b;
    expectError(loser, 409, 'ESCROW_ALREADY_SETTLED');
    const winner = a.status === 202 ? a : b;
    expect(await waitForTerminal(t, actor, winner.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expectError(await move(payer, escrowId, 'release'), 409, 'ESCROW_ALREADY_SETTLED');
    expectError(await move(payer, escrowId, 'refund', { reason: 'too late' }), 409, 'ESCROW_ALREADY_SETTLED');
    const settled = await t.ctx.db.selectFrom('transactions').select(['type', 'status']).where('escrow_id', '=', escrowId).execute();
    expect(settled.filter((row) => row.type !== 'escrow_fund')).toEqual([{ type: 'escrow_release', status: 'CONFIRMED' }]);
  });

  it('refunds a funded escrow to its payer when the client asks, with its reason in the event', async () => {
    const { payer, payee, payerAddress, payeeAddress } = await payerAndPayee('100');
    const { intentId, escrowId } = await fundedIntent(payer, payee, { amount: '25' });
    expect(await balanceOf(t, actor, payerAddress)).toBe(parseEther('75'));
    const refund = await move(payer, escrowId, 'refund', { reason: 'Task not completed' });
    expect(refund.status).toBe(202);
    expect((await intentOf(intentId)).body.status).toMatch(/^(refunding|refunded)$/);
    expect(await waitForTerminal(t, actor, refund.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_refund' });
    expect(await balanceOf(t, actor, payerAddress)).toBe(parseEther('100'));
    expect(await balanceOf(t, actor, payeeAddress)).toBe(0n);
    expect((await intentOf(intentId)).body.status).toBe('refunded');
    expect((await escrowOnChain(t, actor, escrowId)).state).toBe(ESCROW_STATE.Refunded);
    const event = await paymentEvent(receiver, actor, 'payment.funds.refunded', escrowId);
    expect(event.data).toMatchObject({ intentId, escrowId, amount: '25', to: payerAddress, reason: 'Task not completed' });
    expectError(await move(payer, escrowId, 'release'), 409, 'ESCROW_ALREADY_SETTLED');
  });

  it('refunds the payer after the deadline has passed on-chain', async () => {
    const { payer, payee, payerAddress } = await payerAndPayee('10');
    const { escrowId } = await fundedIntent(payer, payee, { amount: '10', durationSeconds: 2 });
    const { deadline } = await escrowOnChain(t, actor, escrowId);
    // anvil stamps each block with the wall clock: wait until a new block is past the deadline.
    while (BigInt(Math.floor(Date.now() / 1000)) <= deadline) await new Promise((r) => setTimeout(r, 200));
    const refund = await move(payer, escrowId, 'refund', { reason: 'deadline passed' });
    expect(refund.status).toBe(202);
    const done = await waitForTerminal(t, actor, refund.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED' });
    const block = await t.ctx.publicClient.getBlock({ blockNumber: BigInt(done.blockNumber) });
    expect(block.timestamp).toBeGreaterThan(deadline);
    expect(await balanceOf(t, actor, payerAddress)).toBe(parseEther('10'));
  });
});

describe('an intent created unfunded', () => {
  it('is created (201), cannot be released before it is funded, is funded once, then released', async () => {
    const { payer, payeeAddress } = await payerAndPayee('30');
    const res = await createIntent(payer, { amount: '30', payeeAddress: payeeAddress.toLowerCase(), fund: false, metadata: { durationSeconds: 600 } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ intentId: expect.stringMatching(/^pi_/), escrowId: expect.stringMatching(/^0x[0-9a-f]{64}$/), status: 'created' });
    const { intentId, escrowId } = res.body;
    expect((await intentOf(intentId)).body).toMatchObject({ status: 'created', transactions: [], executor: payeeAddress, payeeUserId: null });
    expectError(await move(payer, escrowId, 'release'), 409, 'ESCROW_NOT_FUNDED');
    await paymentEvent(receiver, actor, 'payment.intent.created', escrowId);

    const funding = await move(payer, escrowId, 'fund');
    expect(funding.status).toBe(202);
    expectError(await move(payer, escrowId, 'fund'), 409, 'ESCROW_ALREADY_FUNDED');
    expect(await waitForTerminal(t, actor, funding.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    expect((await intentOf(intentId)).body.status).toBe('funded');
    const release = await move(payer, escrowId, 'release');
    expect(await waitForTerminal(t, actor, release.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceOf(t, actor, payeeAddress)).toBe(parseEther('30'));
  });
});

describe('who may see and move an escrow', () => {
  it("answers 404 for another client's intent and escrow, and for a user who is not the payer", async () => {
    const { payer, payee } = await payerAndPayee('10');
    const { intentId, escrowId } = await fundedIntent(payer, payee, { amount: '5' });
    await createWallet(t, other, payer);
    expectError(await intentOf(intentId, other), 404, 'INTENT_NOT_FOUND');
    for (const action of ['fund', 'release', 'refund'] as const) {
      expectError(await move(payer, escrowId, action, {}, other), 404, 'ESCROW_NOT_FOUND');
      expectError(await move(payee, escrowId, action), 404, 'ESCROW_NOT_FOUND');
    }
    expectError(await move(payer, `0x${'ab'.repeat(32)}`, 'release'), 404, 'ESCROW_NOT_FOUND');
    expectError(await intentOf('pi_00000000000000000000000000'), 404, 'INTENT_NOT_FOUND');
    expect((await escrowOnChain(t, actor, escrowId)).state).toBe(ESCROW_STATE.Funded);
  });

  it('needs the payments scope', async () => {
    const scoped = await createMintingClient(t, { scopes: ['wallet', 'mint', 'transfer', 'claim'] });
    await createWallet(t, scoped, 'someone');
    const res = await api(t, scoped, 'someone').post('/api/v1/payments/intents', {
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
        await t.ctx.db
          .selectFrom('payment_intents')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses what cannot be accepted, recording no intent and no operation', async () => {
    const { payer, payee, payeeAddress } = await payerAndPayee('5');
    const before = await intents();
    const body = { amount: '1', payeeUserId: payee, metadata: { durationSeconds: 60 } };
    expectError(await createIntent(payer, { ...body, amount: '6' }), 400, 'INSUFFICIENT_BALANCE');
    expectError(await createIntent(payer, { ...body, payeeAddress }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { amount: '1', metadata: { durationSeconds: 60 } }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, chain: 1 }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, token: other.client.tokenAddress }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, userId: 'someone-else' }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, amount: '0' }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, metadata: { durationSeconds: 0 } }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, payeeUserId: payer }), 400, 'VALIDATION_ERROR');
    expectError(await createIntent(payer, { ...body, payeeUserId: 'nobody' }), 404, 'WALLET_NOT_FOUND');
    expectError(await createIntent(payer, { ...body, chain: String(t.config.chain.chainId), amount: '6' }), 400, 'INSUFFICIENT_BALANCE');
    expect(await intents()).toBe(before);
    const rows = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', payer).where('type', '=', 'escrow_fund').execute();
    expect(rows).toEqual([]);
  });

  it('replays a retried intent creation with the same key: one intent, one funding', async () => {
    const { payer, payee } = await payerAndPayee('10');
    const body = { amount: '2', payeeUserId: payee, metadata: { durationSeconds: 60 } };
    const first = await createIntent(payer, body, { 'X-Idempotency-Key': `intent-${payer}` });
    const again = await createIntent(payer, body, { 'X-Idempotency-Key': `intent-${payer}` });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ intentId: first.body.intentId, escrowId: first.body.escrowId, transactionId: first.body.transactionId });
    const rows = await t.ctx.db.selectFrom('payment_intents').select('id').where('payer_user_id', '=', payer).execute();
    expect(rows).toHaveLength(1);
  });
});
