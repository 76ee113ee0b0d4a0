// Gas budgets (README, Gas budgets) at settlement, driven by the real worker on the real stack: an
// accepted operation counts its reservation until it ends; CONFIRMED replaces it by the actual cost
// the EntryPoint charged, FAILED and EXPIRED by nothing. The bundler sits behind a proxy that holds
// the first send of an operation until the test has read the budget, so the reading is taken while
// the operation is certainly still active, whatever the worker's pace.
import { parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy, type RpcReply, type RpcRequest } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { setPolicy } from '../../src/admin/policies.js';
import { USER_OPERATION_EVENT } from '../../src/tracking/inclusion-tracker.js';
import type { WeiLimits } from '../../src/policy/gas-budget.js';

const BUDGET = parseEther('1');
// Three different limits, so that each period's remaining is seen to move on its own figure.
const CLIENT_BUDGET: WeiLimits = { daily: BUDGET, weekly: 2n * BUDGET, monthly: 3n * BUDGET };

let bundler: RpcProxy;
let t: TestApp;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  // A short inclusion deadline, for the operation the bundler drops to end EXPIRED soon.
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url, STALLED_AFTER_SECONDS: '1', INCLUSION_TIMEOUT_SECONDS: '4' } });
});
afterEach(() => {
  bundler.intercept = undefined;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
});

const isRealSend = (call: RpcRequest) => call.method === 'eth_sendUserOperation' && (call.params as [{ callData: string }])[0].callData !== '0x';

/**
 * Holds the first send of a real operation (not the no-op replacement) until `release()`, then
 * answers it and every later real send with `answer` (undefined: the real bundler answers).
 */
function holdFirstSend(answer: (call: RpcRequest) => RpcReply | undefined = () => undefined) {
  let arrived!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (arrived = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  bundler.intercept = async (call) => {
    if (!isRealSend(call)) return undefined;
    if (first) {
      first = false;
      arrived();
      await released;
    }
    return answer(call);
  };
  return { held, release };
}

/** A fresh client with the client budget, and one user of it holding tokens (funded outside Chronos, so nothing is spent of the budget). */
async function clientWithBudget(userId: string): Promise<Actor> {
  const actor = await createMintingClient(t);
  await fundDirectly(t, actor, { to: await createWallet(t, actor, userId), amountWei: parseEther('100') });
  await setPolicy(t.ctx.db, actor.client.clientId, {}, { client: CLIENT_BUDGET });
  return actor;
}

async function quotaCheck(actor: Actor, userId: string) {
  const res = await api(t, actor, userId).get('/api/v1/quota/check');
  expect(res.status).toBe(200);
  return res.body.gasBudget;
}

async function clientRemaining(actor: Actor, userId: string): Promise<WeiLimits> {
  const { daily, weekly, monthly } = (await quotaCheck(actor, userId)).remaining.client;
  return { daily: BigInt(daily), weekly: BigInt(weekly), monthly: BigInt(monthly) };
}

const lessBy = (wei: bigint): WeiLimits => ({ daily: BUDGET - wei, weekly: 2n * BUDGET - wei, monthly: 3n * BUDGET - wei });

const transfer = (actor: Actor, userId: string) =>
  api(t, actor, userId).post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });

async function reservedOf(transactionId: string): Promise<bigint> {
  const row = await t.ctx.db.selectFrom('transactions').select('gas_reserved_wei').where('id', '=', transactionId).executeTakeFirstOrThrow();
  return BigInt(row.gas_reserved_wei);
}

/** The EntryPoint's UserOperationEvent for this operation, from the receipt of the transaction that included it. */
async function userOperationEventOf(txHash: `0x${string}`, userOpHash: string, sender: Address) {
  const receipt = await t.ctx.publicClient.getTransactionReceipt({ hash: txHash });
  const events = await t.ctx.publicClient.getLogs({
    address: t.config.contracts.entryPoint,
    event: USER_OPERATION_EVENT,
    args: { sender },
    blockHash: receipt.blockHash,
    strict: true,
  });
  const ofOp = events.filter((e) => e.transactionHash === txHash && e.args.userOpHash === userOpHash);
  expect(ofOp).toHaveLength(1);
  return ofOp[0].args;
}

describe('an operation the worker confirms', () => {
  it('counts its reservation while active, then exactly its on-chain cost; what that frees fits the next operation', async () => {
    const actor = await clientWithBudget('settled');
    const wallet = await createWallet(t, actor, 'settled');
    expect(await clientRemaining(actor, 'settled')).toEqual(lessBy(0n));

    const gate = holdFirstSend();
    const first = await transfer(actor, 'settled');
    expect(first.status).toBe(202);
    await gate.held;
    const reserved = await reservedOf(first.body.transactionId);
    expect(reserved).toBeGreaterThan(0n);
    expect(await clientRemaining(actor, 'settled')).toEqual(lessBy(reserved));

    gate.release();
    const done = await waitForTerminal(t, actor, first.body.transactionId);
    expect(done.status).toBe('CONFIRMED');
    const event = await userOperationEventOf(done.txHash, done.userOpHash, wallet);
    expect(event.success).toBe(true);
    const cost = BigInt(done.gasCostWei);
    expect(cost).toBe(event.actualGasCost);
    // The reservation is a ceiling, not the cost: were it kept, the rest of this test could not pass.
    expect(cost).toBeLessThan(reserved);
    expect(await clientRemaining(actor, 'settled')).toEqual(lessBy(cost));

    // A budget that leaves exactly one more transfer's reservation beside the settled cost.
    const next = BigInt((await quotaCheck(actor, 'settled')).operations.transfer.reservationWei);
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { client: { daily: cost + next, weekly: null, monthly: null } });
    expect((await quotaCheck(actor, 'settled')).operations.transfer).toEqual({ allowed: true, reservationWei: next.toString() });

    const secondGate = holdFirstSend();
    const second = await transfer(actor, 'settled');
    expect(second.status).toBe(202);
    await secondGate.held;
    expect(await reservedOf(second.body.transactionId)).toBe(next);
    // The budget is used up while the second is active.
    const refused = await transfer(actor, 'settled');
    expect([refused.status, refused.body.code]).toEqual([429, 'SPONSORSHIP_BUDGET_EXCEEDED']);
    secondGate.release();
    expect((await waitForTerminal(t, actor, second.body.transactionId)).status).toBe('CONFIRMED');
  }, 90_000);
});

describe('what the worker ends without executing gives its reservation back', () => {
  it('FAILED (the bundler refuses every send): the remaining budget is back to what it was', async () => {
    const actor = await clientWithBudget('refused');
    const gate = holdFirstSend(() => ({ error: { code: -32602, message: 'operation refused by bundler policy' } }));
    const res = await transfer(actor, 'refused');
    expect(res.status).toBe(202);
    await gate.held;
    expect(await clientRemaining(actor, 'refused')).toEqual(lessBy(await reservedOf(res.body.transactionId)));

    gate.release();
    expect(await waitForTerminal(t, actor, res.body.transactionId)).toMatchObject({ status: 'FAILED', error: { code: 'BUNDLER_REJECTED' } });
    expect(await clientRemaining(actor, 'refused')).toEqual(lessBy(0n));
  }, 60_000);

  it('EXPIRED (the bundler drops every send; the no-op replacement takes the nonce): the remaining budget is back to what it was', async () => {
    const actor = await clientWithBudget('dropped');
    const gate = holdFirstSend(() => ({ result: `0x${'00'.repeat(32)}` }));
    const res = await transfer(actor, 'dropped');
    expect(res.status).toBe(202);
    await gate.held;
    expect(await clientRemaining(actor, 'dropped')).toEqual(lessBy(await reservedOf(res.body.transactionId)));

    gate.release();
    expect(await waitForTerminal(t, actor, res.body.transactionId)).toMatchObject({ status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT' } });
    // The replacement was included and paid for by the paymaster, yet an EXPIRED operation counts nothing.
    const row = await t.ctx.db.selectFrom('transactions').select('replacement_user_op_hash').where('id', '=', res.body.transactionId).executeTakeFirstOrThrow();
    expect(row.replacement_user_op_hash).toMatch(/^0x/);
    expect(await clientRemaining(actor, 'dropped')).toEqual(lessBy(0n));
  }, 60_000);
});
