// POST /api/v1/payments/gas-estimate against the real stack: a dry run of an operation — would it be
// accepted, the calls, and the gas, simulated as it would be signed — that records, sponsors and sends
// nothing; a transfer then uses within 10 % of the gas its estimate said.
import { createPublicClient, formatUnits, getAddress, http } from 'viem';
import { startRpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';

const USD_PRICE = '3000.50';
let t: TestApp;
let actor: Actor;
const to = getAddress('0x000000000000000000000000000000000000bEEF');

beforeAll(async () => {
  t = await createTestApp({ worker: true, env: { NATIVE_TOKEN_USD_PRICE: USD_PRICE } });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const estimate = (userId: string, body: object, as: Actor = actor) => api(t, as, userId).post('/api/v1/payments/gas-estimate', body);
const writes = async () =>
  Number(
    (
      await t.ctx.db
        .selectFrom('transactions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('a transfer', () => {
  it('is estimated within 10 % of the gas it then uses, with its call, its price and its cost, and nothing is recorded', async () => {
    await createWallet(t, actor, 'estimator');
    await fund(t, actor, 'estimator', '10');
    // Once to the recipient first, so that the estimated transfer and the one sent find the same storage.
    const first = await api(t, actor, 'estimator').post('/api/v1/wallet/transfer', { to, amount: '1' });
    await waitForTerminal(t, actor, first.body.transactionId);

    const before = await writes();
    const res = await estimate('estimator', { operation: 'transfer', params: { to, amount: '2' } });
    expect(res.status).toBe(200);
    expect(await writes()).toBe(before);
    expect(res.body).toMatchObject({ operation: 'transfer', wouldAccept: true, basis: 'simulation' });
    expect(res.body.calls).toEqual([{ to: actor.client.tokenAddress, data: expect.stringMatching(/^0xa9059cbb/) }]);
    const { gasLimit, gasPrice, totalCost, maxGas, maxFeePerGas, maxCost, totalCostUSD } = res.body;
    expect(BigInt(totalCost)).toBe(BigInt(gasLimit) * BigInt(gasPrice));
    expect(BigInt(maxCost)).toBe(BigInt(maxGas) * BigInt(maxFeePerGas));
    expect(BigInt(maxGas)).toBeGreaterThan(BigInt(gasLimit));
    expect(BigInt(gasPrice)).toBeLessThanOrEqual(BigInt(maxFeePerGas));
    expect(Number(totalCostUSD)).toBeCloseTo(Number(formatUnits(BigInt(totalCost), 18)) * Number(USD_PRICE), 2);

    const sent = await api(t, actor, 'estimator').post('/api/v1/wallet/transfer', { to, amount: '2' });
    const done = await waitForTerminal(t, actor, sent.body.transactionId);
    expect(done.status).toBe('CONFIRMED');
    const used = Number(done.gasUsed);
    expect(Math.abs(Number(gasLimit) - used) / used).toBeLessThanOrEqual(0.1);
  });

  it('says what accepting it would refuse, as accepting would, and records nothing', async () => {
    await createWallet(t, actor, 'poor');
    const before = await writes();
    const res = await estimate('poor', { operation: 'transfer', params: { to, amount: '1' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      operation: 'transfer',
      wouldAccept: false,
      refusal: { status: 400, code: 'INSUFFICIENT_BALANCE', message: 'Insufficient balance' },
    });
    const zero = await estimate('poor', { operation: 'transfer', params: { to: '0x0000000000000000000000000000000000000000', amount: '1' } });
    expect(zero.body).toMatchObject({ wouldAccept: false, refusal: { status: 400, code: 'VALIDATION_ERROR' } });
    expect(await writes()).toBe(before);
  });
});

describe('escrows', () => {
  it('estimates a new intent and the release of a funded escrow, and refuses the release of a settled one', async () => {
    await createWallet(t, actor, 'payer');
    await createWallet(t, actor, 'payee');
    await fund(t, actor, 'payer', '10');
    const intentBody = { amount: '3', payeeUserId: 'payee', metadata: { durationSeconds: 600 } };
    const newIntent = await estimate('payer', { operation: 'escrow_fund', params: intentBody });
    expect(newIntent.body).toMatchObject({ operation: 'escrow_fund', wouldAccept: true, basis: 'simulation' });
    expect(newIntent.body.calls).toHaveLength(2);
    expect(await t.ctx.db.selectFrom('payment_intents').select('id').execute()).toEqual([]);

    const created = await api(t, actor, 'payer').post('/api/v1/payments/intents', intentBody);
    await waitForTerminal(t, actor, created.body.transactionId);
    const { escrowId } = created.body;
    const release = await estimate('payer', { operation: 'escrow_release', params: { escrowId } });
    expect(release.body).toMatchObject({ operation: 'escrow_release', wouldAccept: true, calls: [{ to: t.config.contracts.escrow }] });
    expect(BigInt(release.body.gasLimit)).toBeGreaterThan(0n);

    const released = await api(t, actor, 'payer').post(`/api/v1/payments/escrows/${escrowId}/release`, {});
    await waitForTerminal(t, actor, released.body.transactionId);
    const again = await estimate('payer', { operation: 'escrow_release', params: { escrowId } });
    expect(again.body).toMatchObject({ wouldAccept: false, refusal: { status: 409, code: 'ESCROW_ALREADY_SETTLED' } });
    const refund = await estimate('payer', { operation: 'escrow_refund', params: { escrowId, reason: 'late' } });
    expect(refund.body).toMatchObject({ wouldAccept: false, refusal: { status: 409, code: 'ESCROW_ALREADY_SETTLED' } });
  });
});

describe('refused requests', () => {
  it('answers 400 for params its route would refuse, an unknown type, a missing escrow id or another chain', async () => {
    await createWallet(t, actor, 'shapes');
    expectError(await estimate('shapes', { operation: 'transfer', params: { to: 5, amount: '1' } }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('shapes', { operation: 'transfer', params: { amount: '1' } }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('shapes', { operation: 'escrow', params: {} }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('shapes', { operation: 'escrow_release', params: {} }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('shapes', { operation: 'transfer', params: { to, amount: '1' }, chain: 1 }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('shapes', { operation: 'withdrawal', params: { to, amount: 1e21 } }), 400, 'VALIDATION_ERROR');
    expectError(await estimate('nobody', { operation: 'transfer', params: { to, amount: '1' } }), 400, 'WALLET_ERROR');
  });

  it("needs the payments scope and the operation's own", async () => {
    const scoped = await createMintingClient(t, { scopes: ['wallet', 'payments'] });
    await createWallet(t, scoped, 'someone');
    const res = await estimate('someone', { operation: 'transfer', params: { to, amount: '1' } }, scoped);
    expectError(res, 403, 'FORBIDDEN');
    expect(res.body.error).toBe('Estimating a transfer needs the transfer scope');
    const noPayments = await createMintingClient(t, { scopes: ['wallet', 'transfer'] });
    await createWallet(t, noPayments, 'someone');
    expectError(await estimate('someone', { operation: 'transfer', params: { to, amount: '1' } }, noPayments), 403, 'FORBIDDEN');
  });
});

it('is priced in wei only without a USD price, and warns when the base fee is well above its recent level', async () => {
  // A stand-in in front of the real node that reports the next block's base fee three times the last
  // blocks' (what a sudden spike looks like to eth_feeHistory); every other call goes through.
  const stack = testStackEnv();
  const rpc = await startRpcProxy(stack.rpcUrl);
  const node = createPublicClient({ transport: http(stack.rpcUrl) });
  const plain = await createTestApp({ worker: true, env: { RPC_URL: rpc.url } });
  try {
    const other = await createMintingClient(plain);
    await createWallet(plain, other, 'u');
    await fund(plain, other, 'u', '5');
    const body = { operation: 'transfer', params: { to, amount: '1' } };
    const calm = await api(plain, other, 'u').post('/api/v1/payments/gas-estimate', body);
    expect(calm.status).toBe(200);
    expect(calm.body).toMatchObject({ wouldAccept: true, totalCost: expect.stringMatching(/^[1-9]\d*$/) });
    expect(calm.body).not.toHaveProperty('totalCostUSD');
    expect(calm.body).not.toHaveProperty('warning');

    rpc.intercept = async (call) => {
      if (call.method !== 'eth_feeHistory') return undefined;
      const history = await node.request({ method: 'eth_feeHistory', params: call.params as never });
      const fees = [...(history as { baseFeePerGas: string[] }).baseFeePerGas];
      fees[fees.length - 1] = `0x${(BigInt(fees[0]) * 3n).toString(16)}`;
      return { result: { ...(history as object), baseFeePerGas: fees } };
    };
    const spiked = await api(plain, other, 'u').post('/api/v1/payments/gas-estimate', body);
    expect(spiked.body.warning).toMatch(/^Gas price is currently \d+% higher than its average over the last 20 blocks$/);
  } finally {
    await plain.close();
    await rpc.close();
  }
});
