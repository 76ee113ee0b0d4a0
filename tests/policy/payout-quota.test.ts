// A batch payout against the user's quotas and gas budgets (README, Batch payouts): it counts once
// in the payout quota and once per recipient in the transfer quota, and reserves gas for all its
// recipients, each decided for the whole batch at accept: over any of them, nothing is written. No
// worker runs here: accepted operations stay ACCEPTED, no block is mined during a test, so the fee cap
// the test reads is the one accepting uses; statuses are moved by hand where a test needs a FAILED one.
import type { Server } from 'node:http';
import request from 'supertest';
import { parseEther, type Address } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { setPolicy } from '../../src/admin/policies.js';
import { transitionTransaction } from '../../src/status/transition.js';
import { runUnitOfWork } from '../../src/status/unit-of-work.js';
import { readGasFeeCap } from '../../src/chain/gas-fee-cap.js';
import { gasReservationWei } from '../../src/policy/gas-budget.js';
import { payoutGasCeiling } from '../../src/operations/payout/definition.js';

const ONLY_DAILY = (daily: number) => ({ daily, weekly: null, monthly: null });

let t: TestApp;
let server: Server;

beforeAll(async () => {
  t = await createTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function fundedUser(actor: Actor, userId: string): Promise<Address> {
  const address = await createWallet(t, actor, userId);
  await fundDirectly(t, actor, { to: address, amountWei: parseEther('100') });
  return address;
}

const authorized = (req: request.Test, actor: Actor, userId: string) => req.set('Authorization', `Bearer ${actor.token}`).set('X-User-Id', userId);
const recipients = (n: number) => Array.from({ length: n }, (_, i) => ({ to: `0x${(i + 1).toString(16).padStart(40, '0')}`, amount: '0.01' }));
const payout = (actor: Actor, userId: string, n: number) =>
  authorized(request(server).post('/api/v1/wallet/transfers'), actor, userId).send({ transfers: recipients(n) });
const transfer = (actor: Actor, userId: string) =>
  authorized(request(server).post('/api/v1/wallet/transfer'), actor, userId).send({ to: '0x00000000000000000000000000000000000000bb', amount: '0.01' });
const checkQuota = (actor: Actor, userId: string) => authorized(request(server).get('/api/v1/quota/check'), actor, userId);
const rowsOf = (userId: string) => t.ctx.db.selectFrom('transactions').select(['id', 'type', 'gas_reserved_wei']).where('user_id', '=', userId).execute();
const moveTo = (transactionId: string, to: 'FAILED') =>
  runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to, reason: 'test' }));

describe('the transfer quota counts a payout once per recipient', () => {
  let actor: Actor;
  beforeAll(async () => {
    actor = await createMintingClient(t);
    await setPolicy(t.ctx.db, actor.client.clientId, { transfer: ONLY_DAILY(5) });
  });

  it('refuses a batch of more recipients than the quota leaves, whole, and accepts one that fits', async () => {
    await fundedUser(actor, 'rewards');
    const over = await payout(actor, 'rewards', 6);
    expectError(over, 429, 'QUOTA_EXCEEDED');
    expect(over.body.error).toMatch(/6 transfers do not fit .* \(5 daily; 5 left\)/);
    expect(await rowsOf('rewards')).toEqual([]);

    const fits = await payout(actor, 'rewards', 3);
    expect([fits.status, fits.headers['x-quota-remaining']]).toEqual([202, '2']);
    expect((await checkQuota(actor, 'rewards')).body.transfer).toEqual({ allowed: true, remaining: { daily: 2, weekly: -1, monthly: -1 } });
    // What is left is shared with single transfers, either way round.
    expectError(await payout(actor, 'rewards', 3), 429, 'QUOTA_EXCEEDED');
    expect((await transfer(actor, 'rewards')).headers['x-quota-remaining']).toBe('1');
    expect((await payout(actor, 'rewards', 1)).headers['x-quota-remaining']).toBe('0');
    expectError(await transfer(actor, 'rewards'), 429, 'QUOTA_EXCEEDED');
    expect((await rowsOf('rewards')).map((row) => row.type).sort()).toEqual(['payout', 'payout', 'transfer']);
  });

  it('gives back all its recipients when the payout ends FAILED', async () => {
    await fundedUser(actor, 'giveback');
    const batch = await payout(actor, 'giveback', 5);
    expect(batch.status).toBe(202);
    expectError(await transfer(actor, 'giveback'), 429, 'QUOTA_EXCEEDED');
    await moveTo(batch.body.transactionId, 'FAILED');
    expect((await checkQuota(actor, 'giveback')).body.transfer).toEqual({ allowed: true, remaining: { daily: 5, weekly: -1, monthly: -1 } });
    expect((await payout(actor, 'giveback', 5)).status).toBe(202);
  });
});

describe('the payout quota counts batches', () => {
  it('limits payouts per period whatever their size, without touching the transfer quota', async () => {
    const actor = await createMintingClient(t);
    await setPolicy(t.ctx.db, actor.client.clientId, { payout: ONLY_DAILY(1) });
    await fundedUser(actor, 'campaign');
    const first = await payout(actor, 'campaign', 20);
    expect([first.status, first.headers['x-quota-remaining']]).toEqual([202, '0']);
    const second = await payout(actor, 'campaign', 1);
    expectError(second, 429, 'QUOTA_EXCEEDED');
    expect(second.body.error).toMatch(/payout limit \(1 daily\)/);
    const quota = (await checkQuota(actor, 'campaign')).body;
    expect([quota.payout, quota.transfer]).toEqual([
      { allowed: false, remaining: { daily: 0, weekly: -1, monthly: -1 } },
      { allowed: true, remaining: { daily: -1, weekly: -1, monthly: -1 } },
    ]);
    expect((await transfer(actor, 'campaign')).status).toBe(202);
  });
});

/** The API reads the fee cap at most once a second: wait until it has read it since the funding's blocks. */
async function untilTheApiReserves(actor: Actor, userId: string, oneRecipient: bigint): Promise<void> {
  while ((await checkQuota(actor, userId)).body.gasBudget.operations.payout.reservationWei !== oneRecipient.toString()) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the gas budgets', () => {
  it('reserve for every recipient: a budget worth a batch of 3 refuses a batch of 4 and accepts the 3', async () => {
    const actor = await createMintingClient(t);
    await fundedUser(actor, 'budgeted');
    const feeCapWei = await readGasFeeCap(t.ctx.publicClient);
    // The user has no operation on chain yet: the reservation includes the account's deployment.
    const three = gasReservationWei({ gasCeiling: payoutGasCeiling(3), deployed: false, feeCapWei });
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { user: { daily: three, weekly: null, monthly: null } });
    await untilTheApiReserves(actor, 'budgeted', gasReservationWei({ gasCeiling: payoutGasCeiling(1), deployed: false, feeCapWei }));

    const over = await payout(actor, 'budgeted', 4);
    expectError(over, 429, 'SPONSORSHIP_BUDGET_EXCEEDED');
    expect(over.body.error).toContain(`this payout reserves ${gasReservationWei({ gasCeiling: payoutGasCeiling(4), deployed: false, feeCapWei })} wei`);
    expect(await rowsOf('budgeted')).toEqual([]);

    expect((await payout(actor, 'budgeted', 3)).status).toBe(202);
    expect((await rowsOf('budgeted')).map((row) => BigInt(row.gas_reserved_wei))).toEqual([three]);
    expectError(await payout(actor, 'budgeted', 1), 429, 'SPONSORSHIP_BUDGET_EXCEEDED');
  });
});
