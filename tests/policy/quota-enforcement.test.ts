// Per-user quotas (README, Quotas) enforced atomically when an operation is accepted, and GET /quota/check
// agreeing with what enforcement decides. No worker runs here: accepted operations stay ACCEPTED, and
// their status is moved by hand where a test needs a FAILED or EXPIRED one.
import type { Server } from 'node:http';
import request from 'supertest';
import { parseEther, type Address } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, requestMint, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { setPolicy } from '../../src/admin/policies.js';
import { transitionTransaction } from '../../src/status/transition.js';
import type { TransactionStatus } from '../../src/db/schema.js';
import { runUnitOfWork } from '../../src/status/unit-of-work.js';

const RECIPIENT = '0x00000000000000000000000000000000000000bb';
const ONLY_DAILY = (daily: number) => ({ daily, weekly: null, monthly: null });
/** The payment types, which these policies leave unlimited. */
/** The payment and certificate types, which this file's policies leave unlimited. */
const UNLIMITED_PAYMENTS = Object.fromEntries(
  ['escrow_fund', 'escrow_release', 'escrow_refund', 'withdrawal', 'certificate_issue', 'certificate_revoke'].map((type) => [
    type,
    { allowed: true, remaining: { daily: -1, weekly: -1, monthly: -1 } },
  ]),
);

let t: TestApp;
let server: Server;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp();
  server = t.app.listen(0);
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function fundedUser(userId: string, who: Actor = actor): Promise<Address> {
  const address = await createWallet(t, who, userId);
  await fundDirectly(t, who, { to: address, amountWei: parseEther('100') });
  return address;
}

const transfer = (userId: string, who: Actor = actor) =>
  request(server).post('/api/v1/wallet/transfer').set('Authorization', `Bearer ${who.token}`).set('X-User-Id', userId).send({ to: RECIPIENT, amount: '0.01' });
const checkQuota = (userId: string, who: Actor = actor) =>
  request(server).get('/api/v1/quota/check').set('Authorization', `Bearer ${who.token}`).set('X-User-Id', userId);
const moveTo = (transactionId: string, to: TransactionStatus) =>
  runUnitOfWork({ db: t.ctx.db }, (unit) => transitionTransaction(unit, { transactionId, to, reason: 'test' }));

describe('quota enforcement at accept', () => {
  it('accepts exactly the 10 remaining of 100 concurrent transfers, and /quota/check agrees before and after', async () => {
    await setPolicy(t.ctx.db, actor.client.clientId, { transfer: ONLY_DAILY(10) });
    await fundedUser('crowd');
    const before = await checkQuota('crowd');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      success: true,
      mint: { allowed: true, remaining: { daily: -1, weekly: -1, monthly: -1 } },
      transfer: { allowed: true, remaining: { daily: 10, weekly: -1, monthly: -1 } },
      claim: { allowed: true, remaining: { daily: -1, weekly: -1, monthly: -1 } },
      payout: { allowed: true, remaining: { daily: -1, weekly: -1, monthly: -1 } },
      ...UNLIMITED_PAYMENTS,
    });

    const responses = await Promise.all(Array.from({ length: 100 }, () => transfer('crowd')));
    const accepted = responses.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(10);
    for (const r of responses.filter((x) => x.status !== 202)) expectError(r, 429, 'QUOTA_EXCEEDED');
    // Each acceptance says what is left after it: 9, 8, … 0.
    expect(accepted.map((r) => Number(r.headers['x-quota-remaining'])).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rows = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', 'crowd').where('type', '=', 'transfer').execute();
    expect(rows).toHaveLength(10);

    const after = await checkQuota('crowd');
    expect(after.body.transfer).toEqual({ allowed: false, remaining: { daily: 0, weekly: -1, monthly: -1 } });
    expect(after.body.mint.allowed).toBe(true);
  });

  it('gives back the unit of a FAILED or EXPIRED operation, but not of a REVERTED one', async () => {
    await setPolicy(t.ctx.db, actor.client.clientId, { transfer: ONLY_DAILY(2) });
    await fundedUser('giveback');
    const first = await transfer('giveback');
    const second = await transfer('giveback');
    expect([first.status, second.status, first.headers['x-quota-remaining'], second.headers['x-quota-remaining']]).toEqual([202, 202, '1', '0']);
    expectError(await transfer('giveback'), 429, 'QUOTA_EXCEEDED');

    await moveTo(first.body.transactionId, 'FAILED');
    expect((await checkQuota('giveback')).body.transfer).toEqual({ allowed: true, remaining: { daily: 1, weekly: -1, monthly: -1 } });
    const third = await transfer('giveback');
    expect([third.status, third.headers['x-quota-remaining']]).toEqual([202, '0']);
    expectError(await transfer('giveback'), 429, 'QUOTA_EXCEEDED');

    await moveTo(second.body.transactionId, 'EXPIRED');
    expect((await checkQuota('giveback')).body.transfer.allowed).toBe(true);
    const fourth = await transfer('giveback');
    expect(fourth.status).toBe(202);

    // A reverted operation reached the chain: it keeps counting.
    for (const to of ['SUBMITTING', 'SUBMITTED', 'REVERTED'] as const) await moveTo(fourth.body.transactionId, to);
    expect((await checkQuota('giveback')).body.transfer).toEqual({ allowed: false, remaining: { daily: 0, weekly: -1, monthly: -1 } });
    expectError(await transfer('giveback'), 429, 'QUOTA_EXCEEDED');
  });

  it('reports and enforces the tightest period, counted per user', async () => {
    await setPolicy(t.ctx.db, actor.client.clientId, { transfer: { daily: 5, weekly: 2, monthly: 100 } });
    await fundedUser('tight');
    expect((await checkQuota('tight')).body.transfer).toEqual({ allowed: true, remaining: { daily: 5, weekly: 2, monthly: 100 } });
    expect((await transfer('tight')).headers['x-quota-remaining']).toBe('1');
    expect((await transfer('tight')).headers['x-quota-remaining']).toBe('0');
    const refused = await transfer('tight');
    expectError(refused, 429, 'QUOTA_EXCEEDED');
    expect(refused.body.error).toMatch(/2 weekly/);
    expect((await checkQuota('tight')).body.transfer).toEqual({ allowed: false, remaining: { daily: 3, weekly: 0, monthly: 98 } });
    // Another user of the same client has a quota of their own.
    expect((await checkQuota('someone-else')).body.transfer).toEqual({ allowed: true, remaining: { daily: 5, weekly: 2, monthly: 100 } });
  });

  it('limits mints too: the refused execute writes nothing', async () => {
    await setPolicy(t.ctx.db, actor.client.clientId, { mint: ONLY_DAILY(1) });
    const first = await requestMint(t, actor, 'minter', { receiptId: 'quota-mint-1', amountWei: 1n });
    expect([first.status, first.headers['x-quota-remaining']]).toEqual([202, '0']);
    expectError(await requestMint(t, actor, 'minter', { receiptId: 'quota-mint-2', amountWei: 1n }), 429, 'QUOTA_EXCEEDED');
    const rows = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', 'minter').execute();
    expect(rows).toHaveLength(1);
    expect((await checkQuota('minter')).body.mint).toEqual({ allowed: false, remaining: { daily: 0, weekly: -1, monthly: -1 } });
  });
});

describe('without an active policy', () => {
  it('a client without a policy is not quota-limited: no header, and /quota/check is 404 POLICY_NOT_FOUND', async () => {
    const free = await createMintingClient(t);
    await fundedUser('free-user', free);
    const res = await transfer('free-user', free);
    expect(res.status).toBe(202);
    expect(res.headers['x-quota-remaining']).toBeUndefined();
    const check = await checkQuota('free-user', free);
    expectError(check, 404, 'POLICY_NOT_FOUND');
    expect(check.body.success).toBe(false);
  });

  it('a disabled policy limits nothing and /quota/check is 403 POLICY_DISABLED; enabled again, it counts what was accepted meanwhile', async () => {
    const client = await createMintingClient(t);
    await setPolicy(t.ctx.db, client.client.clientId, { transfer: ONLY_DAILY(1) });
    await t.ctx.db.updateTable('transaction_policies').set({ enabled: false }).where('client_id', '=', client.client.clientId).execute();
    await fundedUser('off-user', client);
    for (let i = 0; i < 3; i++) {
      const res = await transfer('off-user', client);
      expect(res.status).toBe(202);
      expect(res.headers['x-quota-remaining']).toBeUndefined();
    }
    expectError(await checkQuota('off-user', client), 403, 'POLICY_DISABLED');

    await t.ctx.db.updateTable('transaction_policies').set({ enabled: true }).where('client_id', '=', client.client.clientId).execute();
    expect((await checkQuota('off-user', client)).body.transfer).toEqual({ allowed: false, remaining: { daily: 0, weekly: -1, monthly: -1 } });
    expectError(await transfer('off-user', client), 429, 'QUOTA_EXCEEDED');
  });

  it('/quota/check needs X-User-Id', async () => {
    const res = await api(t, actor).get('/api/v1/quota/check');
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error).toMatch(/X-User-Id/i);
  });
});
