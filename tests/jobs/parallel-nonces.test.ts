// One busy user: operations of one account run in parallel, each on its own EntryPoint nonce key
// (MAX_PARALLEL_OPS_PER_ACCOUNT), while what must stay ordered stays ordered: the first operation
// deploys the account before any other is built, and mints keep their nonce order. With the setting
// at 1, operations run strictly one after another on key 0, as before.
import { erc20Abi, parseAbiItem, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { findTransaction, listTransitions } from '../../src/db/transactions.js';

const userOperationEvent = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);
const accountDeployed = parseAbiItem('event AccountDeployed(bytes32 indexed userOpHash, address indexed sender, address factory, address paymaster)');
const someone = () => privateKeyToAccount(generatePrivateKey()).address;

async function acceptTransfers(t: TestApp, actor: Actor, userId: string, recipients: Address[]): Promise<string[]> {
  const answers = await Promise.all(recipients.map((to) => api(t, actor, userId).post('/api/v1/wallet/transfer', { to, amount: '1' })));
  for (const res of answers) expect(res.status).toBe(202);
  return answers.map((res) => res.body.transactionId);
}

const balanceOf = (t: TestApp, actor: Actor, who: Address) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [who] });
const eventsOf = (t: TestApp, sender: Address) =>
  t.ctx.publicClient.getLogs({ address: ENTRY_POINT_07_ADDRESS, event: userOperationEvent, args: { sender }, fromBlock: 0n });
const keyOf = (nonce: bigint) => nonce >> 64n;

/** When each transaction first moved to `status` and when it reached its terminal one (its history). */
async function timeline(t: TestApp, ids: string[]) {
  return Promise.all(
    ids.map(async (id) => {
      const history = await listTransitions(t.ctx.db, id);
      const at = (status: string) => history.find((h) => h.to_status === status && h.from_status !== status)!.at.valueOf();
      return { submitting: at('SUBMITTING'), settled: at('CONFIRMED') };
    }),
  );
}

describe('MAX_PARALLEL_OPS_PER_ACCOUNT=32 (the default)', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => {
    t = await createTestApp({ worker: true });
    expect(t.config.transactions.maxParallelPerAccount).toBe(32);
    actor = await createMintingClient(t);
  });
  afterAll(() => t?.close());

  it('confirms 50 concurrent transfers of one user, on several nonce keys, moving exactly the balance', async () => {
    const wallet = await createWallet(t, actor, 'treasury');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('100') });
    // Deployed first, so that all 50 can run in parallel (the first of an undeployed account runs alone).
    const [first] = await acceptTransfers(t, actor, 'treasury', [someone()]);
    expect((await waitForTerminal(t, actor, first)).status).toBe('CONFIRMED');

    const recipients = Array.from({ length: 50 }, someone);
    const ids = await acceptTransfers(t, actor, 'treasury', recipients);
    const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id, 110_000)));
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));

    expect(await balanceOf(t, actor, wallet)).toBe(parseEther('49'));
    for (const to of recipients) expect(await balanceOf(t, actor, to)).toBe(parseEther('1'));
    const events = await eventsOf(t, wallet);
    expect(events).toHaveLength(51);
    expect(events.every((e) => e.args.success)).toBe(true);
    const keys = new Set(events.map((e) => keyOf(e.args.nonce!)));
    // Run in parallel: more than one key used, none beyond the limit.
    expect(keys.size).toBeGreaterThan(1);
    expect([...keys].every((k) => k < 32n)).toBe(true);
    // Each transaction's stored key is the one its included operation used.
    for (const id of ids) {
      const row = (await findTransaction(t.ctx.db, id))!;
      expect(keyOf(BigInt(row.user_op!.nonce))).toBe(BigInt(row.nonce_key!));
    }
  }, 120_000);

  it("builds a new account's second operation only once the first one deployed it: one deployment", async () => {
    const wallet = await createWallet(t, actor, 'newcomer');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('10') });
    expect(await t.ctx.publicClient.getCode({ address: wallet })).toBeUndefined();
    const ids = await acceptTransfers(t, actor, 'newcomer', [someone(), someone()]);
    const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id)));
    expect(done.map((d) => d.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
    const deployments = await t.ctx.publicClient.getLogs({ address: ENTRY_POINT_07_ADDRESS, event: accountDeployed, args: { sender: wallet }, fromBlock: 0n });
    expect(deployments).toHaveLength(1);
    const [a, b] = await timeline(t, ids);
    const [firstDone, second] = a.submitting < b.submitting ? [a, b] : [b, a];
    expect(second.submitting).toBeGreaterThanOrEqual(firstDone.settled);
    expect(await balanceOf(t, actor, wallet)).toBe(parseEther('8'));
  });

  it('keeps mints with consecutive nonces in nonce order on-chain', async () => {
    const wallet = await createWallet(t, actor, 'minted');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await requestMint(t, actor, 'minted', { receiptId: `ordered-${i}`, amountWei: BigInt(i + 1) });
      expect(res.status).toBe(202);
      ids.push(res.body.transactionId);
    }
    const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id)));
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
    expect(await balanceOf(t, actor, wallet)).toBe(15n);
    const rows = await Promise.all(ids.map(async (id) => (await findTransaction(t.ctx.db, id))!));
    const events = await eventsOf(t, wallet);
    const position = (hash: string) => {
      const e = events.find((x) => x.args.userOpHash === hash)!;
      return e.blockNumber * 1_000_000n + BigInt(e.logIndex);
    };
    const positions = rows.map((r) => position(r.user_op_hash!));
    expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
    expect(rows.map((r) => r.mint_nonce)).toEqual(['0', '1', '2', '3', '4']);
  });
});

describe('MAX_PARALLEL_OPS_PER_ACCOUNT=1', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: { MAX_PARALLEL_OPS_PER_ACCOUNT: '1' } });
    actor = await createMintingClient(t);
  });
  afterAll(() => t?.close());

  it('runs one operation of the account at a time, all on nonce key 0, in accept order', async () => {
    const wallet = await createWallet(t, actor, 'serial');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('10') });
    const ids = await acceptTransfers(t, actor, 'serial', [someone(), someone(), someone(), someone()]);
    const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id)));
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
    const rows = await Promise.all(ids.map(async (id) => (await findTransaction(t.ctx.db, id))!));
    const inAcceptOrder = [...rows].sort((x, y) => (BigInt(x.accept_seq) < BigInt(y.accept_seq) ? -1 : 1));
    // Key 0, sequence 0, 1, 2, 3: the nonce of the whole nonce space is just the sequence.
    expect(inAcceptOrder.map((r) => BigInt(r.user_op!.nonce))).toEqual([0n, 1n, 2n, 3n]);
    const times = await timeline(
      t,
      inAcceptOrder.map((r) => r.id),
    );
    for (let i = 1; i < times.length; i++) expect(times[i].submitting).toBeGreaterThanOrEqual(times[i - 1].settled);
    expect(await balanceOf(t, actor, wallet)).toBe(parseEther('6'));
  });
});
