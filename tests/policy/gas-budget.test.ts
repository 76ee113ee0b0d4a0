// Gas budgets (README, Gas budgets) enforced at accept, across two `chronos api` processes on one
// database: each operation reserves its gas ceiling times the fee cap, and a budget worth exactly 10
// reservations accepts exactly 10 of 100 concurrent requests, writing nothing for the other 90 — for a
// client budget with 100 different users, so that no per-user lock orders the batches and only the
// client's own lock can. No
// worker runs here, so no block is mined during a burst: the base fee, and so the reservation the
// processes make, is the one the test computes. Statuses are moved by the status writer where a test
// needs a FAILED, EXPIRED or REVERTED operation.
import { parseEther } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, signMint, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { startApiProcesses, stopChronos, type ApiProcess } from '../support/processes.js';
import { remote, type Remote, type RemoteResponse } from '../ops/support/remote.js';
import { setPolicy } from '../../src/admin/policies.js';
import { operations } from '../../src/operations/index.js';
import { readGasFeeCap } from '../../src/chain/gas-fee-cap.js';
import { gasReservationWei, type WeiLimits } from '../../src/policy/gas-budget.js';
import { periodEnd } from '../../src/db/quota-periods.js';
import { sumUserGasUsage } from '../../src/db/gas-budgets.js';
import { QUOTA_PERIODS } from '../../src/db/policies.js';
import { newTransactionId } from '../../src/transactions/ids.js';
import { transitionTransaction } from '../../src/status/transition.js';
import { runUnitOfWork } from '../../src/status/unit-of-work.js';
import type { TransactionStatus } from '../../src/db/schema.js';

const RECIPIENT = '0x00000000000000000000000000000000000000bb';
const ONLY_DAILY = (daily: bigint): WeiLimits => ({ daily, weekly: null, monthly: null });

let t: TestApp;
let processes: ApiProcess[] = [];
let apis: Remote[] = [];

beforeAll(async () => {
  t = await createTestApp();
  processes = await startApiProcesses(t.env, 2);
  apis = processes.map((p) => remote(p.url));
}, 120_000);
afterAll(async () => {
  await Promise.all(processes.map(stopChronos));
  await t.close();
});

/** What accepting an operation reserves now (no block is mined until the next funding). */
async function reservationOf(type: keyof typeof operations, { deployed = false } = {}): Promise<bigint> {
  return gasReservationWei({ gasCeiling: operations[type].gasCeiling, deployed, feeCapWei: await readGasFeeCap(t.ctx.publicClient) });
}
const transferReservation = (options: { deployed?: boolean } = {}) => reservationOf('transfer', options);

/** A signed mint/execute body for a new user's first mint (prepared and signed before any burst). */
async function preparedMint(actor: Actor, userId: string): Promise<object> {
  const to = await createWallet(t, actor, userId);
  const receiptId = `receipt-${userId}`;
  const prep = await api(t, actor, userId).post('/api/v1/mint/prepare', { receiptId, userAddress: to });
  const [expiryBlock, nonce, amount] = [BigInt(prep.body.expiryBlock), BigInt(prep.body.nonce), parseEther('1')];
  const signature = await signMint(t, actor, { to, receiptId, amount, expiryBlock, nonce });
  return { receiptId, amount: amount.toString(), signature, expiryBlock: expiryBlock.toString(), nonce: nonce.toString() };
}

async function fundedUsers(actor: Actor, prefix: string, count: number): Promise<string[]> {
  const users = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  for (const userId of users) await fundDirectly(t, actor, { to: await createWallet(t, actor, userId), amountWei: parseEther('100') });
  return users;
}

/** `count` transfers at once, alternating between the two processes, each with its own idempotency key. */
function burst(actor: Actor, count: number, userOf: (i: number) => string): Promise<RemoteResponse[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      apis[i % apis.length].call('POST', '/api/v1/wallet/transfer', {
        token: actor.token,
        userId: userOf(i),
        body: { to: RECIPIENT, amount: '0.01' },
        headers: { 'X-Idempotency-Key': `burst-${userOf(i)}-${i}` },
      }),
    ),
  );
}

const rowsOf = (actor: Actor) =>
  t.ctx.db.selectFrom('transactions').select(['id', 'gas_reserved_wei']).where('client_id', '=', actor.client.clientId).execute();
const keysOf = async (actor: Actor) =>
  (await t.ctx.db.selectFrom('idempotency_keys').select('transaction_id').where('client_id', '=', actor.client.clientId).execute()).map(
    (k) => k.transaction_id,
  );
const moveTo = (transactionId: string, to: TransactionStatus) =>
  runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to, reason: 'test' }));
const transferOf = (actor: Actor, userId: string) =>
  apis[0].call('POST', '/api/v1/wallet/transfer', { token: actor.token, userId, body: { to: RECIPIENT, amount: '0.01' } });
const checkQuota = (actor: Actor, userId: string) => apis[1].call('GET', '/api/v1/quota/check', { token: actor.token, userId });

/**
 * Waits until both processes reserve `reservation` for a transfer of `userId`: each caches its fee cap
 * for a second, and the funding before a test mined blocks that moved the base fee. /quota/check
 * reports from the same cached fee cap the accept path reserves with.
 */
async function untilProcessesReserve(actor: Actor, userId: string, reservation: bigint, type = 'transfer'): Promise<void> {
  for (const remoteApi of apis) {
    for (;;) {
      const res = await remoteApi.call('GET', '/api/v1/quota/check', { token: actor.token, userId });
      if (res.body?.gasBudget?.operations[type].reservationWei === reservation.toString()) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function expectBudgetRefusals(refused: RemoteResponse[], { scope, reservation, type = 'transfer' }: { scope: string; reservation: bigint; type?: string }) {
  for (const r of refused) {
    expect([r.status, r.body.code]).toEqual([429, 'SPONSORSHIP_BUDGET_EXCEEDED']);
    expect(r.body.error).toBe(`Sponsorship budget exceeded: ${scope} daily gas budget has 0 wei left, and this ${type} reserves ${reservation} wei`);
    // Until the UTC day ends.
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
  }
}

describe('a client gas budget, across two API processes', () => {
  it('accepts exactly the 10 of 100 concurrent mints (100 users) it is worth, and writes nothing for the other 90', async () => {
    const actor = await createMintingClient(t);
    const users = Array.from({ length: 100 }, (_, i) => `client-budget-${i}`);
    const bodies = await Promise.all(users.map((userId) => preparedMint(actor, userId)));
    const reservation = await reservationOf('mint');
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { client: ONLY_DAILY(10n * reservation) });
    await untilProcessesReserve(actor, users[0], reservation, 'mint');

    const responses = await Promise.all(
      users.map((userId, i) =>
        apis[i % apis.length].call('POST', '/api/v1/mint/execute', {
          token: actor.token,
          userId,
          body: bodies[i],
          headers: { 'X-Idempotency-Key': `burst-${userId}` },
        }),
      ),
    );

    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    expectBudgetRefusals(
      responses.filter((r) => r.status !== 202),
      { scope: "the client's", reservation, type: 'mint' },
    );
    const rows = await rowsOf(actor);
    expect(rows.map((row) => row.id).sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());
    expect(rows.map((row) => BigInt(row.gas_reserved_wei))).toEqual(rows.map(() => reservation));
    // A refusal gives its idempotency key back: only the accepted ten are stored.
    expect((await keysOf(actor)).sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());
  }, 120_000);
});

describe('a per-user gas budget, across two API processes', () => {
  it("accepts exactly the 10 of one user's 100 concurrent transfers it is worth; another user has a budget of their own", async () => {
    const actor = await createMintingClient(t);
    const [spender, other] = await fundedUsers(actor, 'user-budget', 2);
    const reservation = await transferReservation();
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { user: ONLY_DAILY(10n * reservation) });
    await untilProcessesReserve(actor, spender, reservation);

    const responses = await burst(actor, 100, () => spender);

    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    expectBudgetRefusals(
      responses.filter((r) => r.status !== 202),
      { scope: "this user's", reservation },
    );
    expect((await rowsOf(actor)).map((row) => row.id).sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());
    expect((await keysOf(actor)).sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());
    expect((await transferOf(actor, other)).status).toBe(202);
  }, 120_000);
});

describe('what is released and what keeps counting', () => {
  it('FAILED and EXPIRED give their reservation back, and an operation fits again', async () => {
    const actor = await createMintingClient(t);
    const [user] = await fundedUsers(actor, 'release', 1);
    const reservation = await transferReservation();
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { user: ONLY_DAILY(2n * reservation) });
    await untilProcessesReserve(actor, user, reservation);

    const [first, second] = [await transferOf(actor, user), await transferOf(actor, user)];
    expect([first.status, second.status]).toEqual([202, 202]);
    expect((await transferOf(actor, user)).body.code).toBe('SPONSORSHIP_BUDGET_EXCEEDED');

    await moveTo(first.body.transactionId, 'FAILED');
    expect((await transferOf(actor, user)).status).toBe(202);
    expect((await transferOf(actor, user)).body.code).toBe('SPONSORSHIP_BUDGET_EXCEEDED');

    await moveTo(second.body.transactionId, 'EXPIRED');
    expect((await transferOf(actor, user)).status).toBe(202);
    expect((await transferOf(actor, user)).body.code).toBe('SPONSORSHIP_BUDGET_EXCEEDED');
  }, 60_000);

  it('once an operation of the user reached the chain, the next reserves no account deployment', async () => {
    const actor = await createMintingClient(t);
    const [user] = await fundedUsers(actor, 'deployed', 1);
    const undeployed = await transferReservation();
    const deployed = await transferReservation({ deployed: true });
    await setPolicy(t.ctx.db, actor.client.clientId, {}, { user: ONLY_DAILY(100n * undeployed) });
    await untilProcessesReserve(actor, user, undeployed);

    const first = await transferOf(actor, user);
    expect((await checkQuota(actor, user)).body.gasBudget.operations.transfer.reservationWei).toBe(undeployed.toString());
    // A REVERTED operation ran the account's deployment too; without gas_cost_wei (set by the tracker) it keeps its reservation.
    for (const to of ['SUBMITTING', 'SUBMITTED', 'REVERTED'] as const) await moveTo(first.body.transactionId, to);
    expect((await checkQuota(actor, user)).body.gasBudget.operations.transfer.reservationWei).toBe(deployed.toString());
    const next = await transferOf(actor, user);
    const row = await t.ctx.db.selectFrom('transactions').select('gas_reserved_wei').where('id', '=', next.body.transactionId).executeTakeFirstOrThrow();
    expect(BigInt(row.gas_reserved_wei)).toBe(deployed);
  }, 60_000);
});

describe('GET /quota/check', () => {
  it('reports what the client and user budgets leave, per period, and whether each operation type still fits', async () => {
    const actor = await createMintingClient(t);
    const [user] = await fundedUsers(actor, 'check', 1);
    const reservation = await transferReservation();
    const feeCapWei = await readGasFeeCap(t.ctx.publicClient);
    const claimReservation = gasReservationWei({ gasCeiling: operations.claim.gasCeiling, deployed: false, feeCapWei });
    const reservationOf = (type: 'escrow_fund' | 'escrow_release' | 'escrow_refund' | 'certificate_issue' | 'certificate_revoke') =>
      gasReservationWei({ gasCeiling: operations[type].gasCeiling, deployed: false, feeCapWei });
    const clientBudget = { daily: 3n * reservation, weekly: null, monthly: 10n * reservation };
    await setPolicy(
      t.ctx.db,
      actor.client.clientId,
      { transfer: { daily: 50, weekly: null, monthly: null } },
      { client: clientBudget, user: ONLY_DAILY(2n * reservation) },
    );
    await untilProcessesReserve(actor, user, reservation);

    const before = await checkQuota(actor, user);
    expect(before.status).toBe(200);
    expect(before.body.transfer).toEqual({ allowed: true, remaining: { daily: 50, weekly: -1, monthly: -1 } });
    expect(before.body.gasBudget).toEqual({
      remaining: {
        client: { daily: (3n * reservation).toString(), weekly: null, monthly: (10n * reservation).toString() },
        user: { daily: (2n * reservation).toString(), weekly: null, monthly: null },
      },
      operations: {
        mint: { allowed: true, reservationWei: gasReservationWei({ gasCeiling: operations.mint.gasCeiling, deployed: false, feeCapWei }).toString() },
        transfer: { allowed: true, reservationWei: reservation.toString() },
        // A claim's ceiling is above a transfer's: two transfers' worth does not fit it.
        claim: { allowed: claimReservation <= 2n * reservation, reservationWei: claimReservation.toString() },
        // A payout's entry is for one recipient; each more reserves more (tests/policy/payout-quota).
        payout: { allowed: true, reservationWei: gasReservationWei({ gasCeiling: operations.payout.gasCeiling, deployed: false, feeCapWei }).toString() },
        // The payment types, each by its own ceiling (a withdrawal's is a transfer's).
        escrow_fund: { allowed: true, reservationWei: reservationOf('escrow_fund').toString() },
        escrow_release: { allowed: true, reservationWei: reservationOf('escrow_release').toString() },
        escrow_refund: { allowed: true, reservationWei: reservationOf('escrow_refund').toString() },
        withdrawal: { allowed: true, reservationWei: reservation.toString() },
        // The certificate types, each by its own ceiling: fitting the user's two transfers' worth or not.
        certificate_issue: { allowed: reservationOf('certificate_issue') <= 2n * reservation, reservationWei: reservationOf('certificate_issue').toString() },
        certificate_revoke: {
          allowed: reservationOf('certificate_revoke') <= 2n * reservation,
          reservationWei: reservationOf('certificate_revoke').toString(),
        },
      },
    });

    for (let i = 0; i < 2; i++) expect((await transferOf(actor, user)).status).toBe(202);
    const after = await checkQuota(actor, user);
    expect(after.body.gasBudget.remaining).toEqual({
      client: { daily: reservation.toString(), weekly: null, monthly: (8n * reservation).toString() },
      user: { daily: '0', weekly: null, monthly: null },
    });
    expect(after.body.gasBudget.operations.transfer).toEqual({ allowed: false, reservationWei: reservation.toString() });
    expect((await transferOf(actor, user)).body.code).toBe('SPONSORSHIP_BUDGET_EXCEEDED');
  }, 60_000);

  it('leaves the response as it was when the policy has no gas budget', async () => {
    const actor = await createMintingClient(t);
    await createWallet(t, actor, 'no-budget');
    await setPolicy(t.ctx.db, actor.client.clientId, { mint: { daily: 1, weekly: null, monthly: null } });
    const res = await checkQuota(actor, 'no-budget');
    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('gasBudget');
  });
});

describe('the usage periods on the database', () => {
  // The usage query starts its periods with date_trunc (src/db/gas-budgets.ts); a refusal's
  // Retry-After counts to periodEnd (src/policy/gas-budget.ts). They must agree, or a client told to
  // retry at a period's end would find the old period's operations still counted.
  it.each([
    ['a Wednesday', '2025-01-15T12:00:00Z'],
    ['a Sunday evening', '2025-01-19T23:59:59.999Z'],
    ['a leap day', '2024-02-29T12:00:00Z'],
    ['the last day of a year', '2025-12-31T12:00:00Z'],
  ])('begin a new period exactly where periodEnd ends the last (%s)', async (_, iso) => {
    const { clientId } = await t.createClient({ tokenAddress: RECIPIENT });
    const place = (userId: string, createdAt: Date, wei: bigint) =>
      t.ctx.db
        .insertInto('transactions')
        .values({
          id: newTransactionId(),
          client_id: clientId,
          user_id: userId,
          wallet_address: RECIPIENT,
          type: 'transfer',
          status: 'ACCEPTED',
          params: '{}',
          created_at: createdAt.toISOString(),
          gas_reserved_wei: wei,
        })
        .execute();
    for (const period of QUOTA_PERIODS) {
      const end = periodEnd(period, new Date(iso));
      const lastInstant = new Date(end.getTime() - 1);
      // Each user's operations are all at or before the instant asked about, as accepted ones are.
      await place(`${period}-before`, lastInstant, 1n);
      await place(`${period}-at`, lastInstant, 1n);
      await place(`${period}-at`, end, 10n);
      const before = await sumUserGasUsage(t.ctx.db, { clientId, userIds: [`${period}-before`], at: lastInstant });
      const at = await sumUserGasUsage(t.ctx.db, { clientId, userIds: [`${period}-at`], at: end });
      expect([period, before.get(`${period}-before`)![period], at.get(`${period}-at`)![period]]).toEqual([period, 1n, 10n]);
    }
  });
});
