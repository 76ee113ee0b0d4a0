// Re-sponsoring past the sponsorship window (src/jobs/re-sponsor.ts): a stored operation of our own
// paymaster whose window passed by the chain's clock, its nonce unused, can never be included; the job
// builds one new operation with the same nonce, freshly sponsored and signed, keeps the old hash as
// superseded, and the transaction executes exactly once. Until the chain proves the window passed, a
// bundler's "expires too soon" (its own clock) neither fails the transaction nor rebuilds anything. The
// deadline's no-op replacement is re-sponsored the same way, and the tracker settles on the new hash.
import { parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { findTransaction, listTransitions } from '../../src/db/transactions.js';
import type { Transaction } from '../../src/db/schema.js';
import { ownSponsorshipWindow } from '../../src/userop/sponsorship/own-paymaster.js';
import { USER_OPERATION_EVENT } from '../../src/tracking/inclusion-tracker.js';
import { REFUSAL_ATTEMPTS } from '../../src/userop/with-retries.js';
import { chainState } from './crash-support.js';

const FIVE = parseEther('5');
const TWO = parseEther('2');
/** The shortest window the configuration allows: the tests wait it out. */
const VALID_SECONDS = 10;

let bundler: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url, SPONSORSHIP_VALID_SECONDS: String(VALID_SECONDS) } });
  actor = await createMintingClient(t);
});
afterEach(() => {
  bundler.intercept = undefined;
  bundler.failing = false;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await pause(50);
}

/** A block now: on automine anvil the chain's clock moves only when one is mined. */
const mineBlock = () => t.ctx.publicClient.request({ method: 'evm_mine' as never, params: [] as never });

/** Waits until the wall clock (which the next mined block's timestamp follows) is past `validUntil`. */
async function waitPastWindow(validUntil: number): Promise<void> {
  while (Date.now() / 1000 <= validUntil + 1) await pause(200);
}

const storedRow = async (id: string): Promise<Transaction> => (await findTransaction(t.ctx.db, id))!;
const windowOf = (row: Transaction) => ownSponsorshipWindow(row.user_op as Record<string, string>, testStackEnv().paymaster)!;

/** A transfer of 2 tokens from a fresh wallet holding 5 (its first operation: it also deploys the account). */
async function startTransfer(userId: string) {
  const wallet = await createWallet(t, actor, userId);
  await fundDirectly(t, actor, { to: wallet, amountWei: FIVE });
  const to: Address = privateKeyToAccount(generatePrivateKey()).address;
  const before = await chainState(t, actor.client.tokenAddress, wallet, [to]);
  const res = await api(t, actor, userId).post('/api/v1/wallet/transfer', { to, amount: '2' });
  expect(res.status).toBe(202);
  return { wallet, to, before, id: res.body.transactionId as string };
}

/** Executed once: the nonce moved by one, the tokens once, and exactly one UserOperationEvent for it, of the current hash. */
async function expectExecutedOnce(p: Awaited<ReturnType<typeof startTransfer>>, row: Transaction) {
  const after = await chainState(t, actor.client.tokenAddress, p.wallet, [p.to]);
  expect(after.accountNonce).toBe(p.before.accountNonce + 1n);
  expect(after.balances).toEqual([FIVE - TWO, TWO]);
  const events = await t.ctx.publicClient.getLogs({
    address: t.config.contracts.entryPoint,
    event: USER_OPERATION_EVENT,
    args: { sender: p.wallet },
    fromBlock: 0n,
    toBlock: 'latest',
    strict: true,
  });
  const ofNonce = events.filter((e) => e.args.nonce === BigInt((row.user_op as Record<string, string>).nonce));
  expect(ofNonce.map((e) => e.args.userOpHash)).toEqual([row.user_op_hash]);
}

async function expectReSponsored(id: string, first: Transaction): Promise<Transaction> {
  const row = await storedRow(id);
  expect(row.user_op_hash).not.toBe(first.user_op_hash);
  expect(row.superseded_user_op_hashes).toEqual([first.user_op_hash]);
  expect((row.user_op as Record<string, string>).nonce).toBe((first.user_op as Record<string, string>).nonce);
  expect(windowOf(row).validUntil).toBeGreaterThan(windowOf(first).validUntil);
  const reasons = (await listTransitions(t.ctx.db, id)).map((h) => h.reason ?? '');
  const note = reasons.filter((r) => r.startsWith('sponsorship window passed'));
  expect(note).toHaveLength(1);
  expect(note[0]).toMatch(
    new RegExp(
      `^sponsorship window passed at block \\d+ \\(validUntil ${windowOf(first).validUntil}, block time \\d+\\); re-sponsored with the same nonce; old hash ${first.user_op_hash}$`,
    ),
  );
  return row;
}

describe('a bundler stopped for longer than the sponsorship window, then restarted', () => {
  it('gets the stored operation re-sponsored with the same nonce, CONFIRMED exactly once', async () => {
    // The operation is built, signed and stored; its first send finds the bundler gone.
    let stopped = false;
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation' || stopped) return undefined;
      stopped = true;
      bundler.failing = true;
      throw new Error('bundler stopped');
    };
    const transfer = await startTransfer('outage');
    await until(() => stopped);
    const first = await storedRow(transfer.id);
    expect(first.status).toBe('SUBMITTING');

    await waitPastWindow(windowOf(first).validUntil);
    await mineBlock();
    bundler.failing = false;

    const done = await waitForTerminal(t, actor, transfer.id);
    expect(done.status).toBe('CONFIRMED');
    const row = await expectReSponsored(transfer.id, first);
    await expectExecutedOnce(transfer, row);
  });
});

describe('an operation refused "expires too soon" while the chain still holds its window open', () => {
  it('is neither FAILED nor rebuilt until the chain proves the window passed, then re-sponsored and CONFIRMED once', async () => {
    const refusedSends: string[] = [];
    let refusing = true;
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation' || !refusing) return undefined;
      refusedSends.push((call.params as [{ paymasterData: string }])[0].paymasterData);
      return { error: { code: -32503, message: 'UserOperation expires too soon, validUntil=0, now=0' } };
    };
    const transfer = await startTransfer('expires-soon');
    // More refusals than any other refusal is allowed before FAILED.
    await until(() => refusedSends.length >= REFUSAL_ATTEMPTS + 2);
    const first = await storedRow(transfer.id);
    expect(first).toMatchObject({ status: 'SUBMITTING', superseded_user_op_hashes: [] });
    expect(new Set(refusedSends)).toEqual(new Set([(first.user_op as Record<string, string>).paymasterData]));

    // The wall clock passes validUntil, but no block is mined: by the chain's clock it could still be included.
    const { validUntil } = windowOf(first);
    await waitPastWindow(validUntil);
    const seen = refusedSends.length;
    await until(() => refusedSends.length >= seen + 2);
    expect((await t.ctx.publicClient.getBlock()).timestamp).toBeLessThanOrEqual(BigInt(validUntil));
    expect(await storedRow(transfer.id)).toMatchObject({ status: 'SUBMITTING', user_op_hash: first.user_op_hash, superseded_user_op_hashes: [] });

    // The real bundler now refuses it by its own clock too; one block makes it provably dead.
    refusing = false;
    await mineBlock();
    const done = await waitForTerminal(t, actor, transfer.id);
    expect(done.status).toBe('CONFIRMED');
    const row = await expectReSponsored(transfer.id, first);
    await expectExecutedOnce(transfer, row);
  });
});

describe('a no-op replacement still pending past its own sponsorship window', () => {
  let short: TestApp;
  let shortActor: Actor;
  beforeAll(async () => {
    // No stall re-send: only the deadline's replacement and its re-sends (every 10 s) are in play.
    short = await createTestApp({
      worker: true,
      env: { BUNDLER_URL: bundler.url, SPONSORSHIP_VALID_SECONDS: String(VALID_SECONDS), INCLUSION_TIMEOUT_SECONDS: '2', STALLED_AFTER_SECONDS: '600' },
    });
    shortActor = await createMintingClient(short);
  });
  afterAll(() => short.close());

  it('is re-sponsored with the same nonce, and its inclusion (by the new hash) ends the transaction EXPIRED', async () => {
    // The bundler "takes" every send and keeps none, until told otherwise.
    let swallowing = true;
    const swallowed: string[] = [];
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation' || !swallowing) return undefined;
      swallowed.push((call.params as [{ callData: string }])[0].callData);
      return { result: `0x${'00'.repeat(32)}` };
    };
    const wallet = await createWallet(short, shortActor, 'replacement');
    await fundDirectly(short, shortActor, { to: wallet, amountWei: FIVE });
    const to: Address = privateKeyToAccount(generatePrivateKey()).address;
    const before = await chainState(short, shortActor.client.tokenAddress, wallet, [to]);
    const res = await api(short, shortActor, 'replacement').post('/api/v1/wallet/transfer', { to, amount: '2' });
    expect(res.status).toBe(202);
    const id = res.body.transactionId as string;

    await until(() => swallowed.includes('0x'));
    const first = (await findTransaction(short.ctx.db, id))!;
    expect(first.replacement_user_op_hash).not.toBeNull();
    const firstWindow = ownSponsorshipWindow(first.replacement_user_op as Record<string, string>, testStackEnv().paymaster)!;
    await waitPastWindow(firstWindow.validUntil);
    await mineBlock();
    swallowing = false;

    const done = await waitForTerminal(short, shortActor, id);
    expect(done).toMatchObject({ status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT' } });
    const row = (await findTransaction(short.ctx.db, id))!;
    expect(row.user_op_hash).toBe(first.user_op_hash);
    expect(row.replacement_user_op_hash).not.toBe(first.replacement_user_op_hash);
    expect(row.superseded_user_op_hashes).toEqual([first.replacement_user_op_hash]);
    expect((row.replacement_user_op as Record<string, string>).nonce).toBe((first.user_op as Record<string, string>).nonce);
    const reasons = (await listTransitions(short.ctx.db, id)).map((h) => h.reason ?? '');
    expect(reasons.filter((r) => r.endsWith(`re-sponsored with the same nonce; old hash ${first.replacement_user_op_hash}`))).toHaveLength(1);
    // The no-op used the nonce; the transfer never ran.
    const after = await chainState(short, shortActor.client.tokenAddress, wallet, [to]);
    expect(after.accountNonce).toBe(before.accountNonce + 1n);
    expect(after.balances).toEqual(before.balances);
    const events = await short.ctx.publicClient.getLogs({
      address: short.config.contracts.entryPoint,
      event: USER_OPERATION_EVENT,
      args: { sender: wallet },
      fromBlock: 0n,
      toBlock: 'latest',
      strict: true,
    });
    expect(events.map((e) => e.args.userOpHash)).toEqual([row.replacement_user_op_hash]);
  });
});
