// Confirmations and reorgs on the real chain: anvil replaces the newest blocks (anvil_reorg) with
// empty ones, taking an operation's inclusion away. Below its depth the inclusion is forgotten and the
// operation, re-sent from storage, settles where it lands next; with CONFIRMATIONS=0 a CONFIRMED
// transaction keeps its status, is reported (transaction.reorged, history) and is included again.
// In every case it executes exactly once on the chain that remains.
import { createPublicClient, erc20Abi, http, parseAbi, parseAbiItem, parseEther, toHex, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { getFreePorts } from '../../src/dev/free-port.js';
import { startBundler, type Bundler } from '../../src/dev/alto.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { findTransaction } from '../../src/db/transactions.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { testStackEnv } from '../support/stack-env.js';
import { startReceiver, verifyWebhook, type Receiver } from '../webhooks/support/receiver.js';
import { sleep } from './support.js';
import { chainReorgs } from '../../src/observability/metrics.js';

/** chronos_chain_reorgs_total{kind} in this process. */
const reorgCount = async (kind: string) => (await chainReorgs.get()).values.find((v) => v.labels.kind === kind)?.value ?? 0;

const stack = testStackEnv();
const chain = createPublicClient({ transport: http(stack.rpcUrl) });
const anvil = (method: string, params: unknown[] = []) => chain.request({ method: method as never, params: params as never });
const entryPointAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);
const userOperationEvent = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);

// A bundler of this file's own, with keys no other bundler uses: a reorg drops its bundle transactions.
const executorKeys = [generatePrivateKey()];
const utilityKey = generatePrivateKey();
let bundler: Bundler;
let receiver: Receiver;

beforeAll(async () => {
  const [port] = await getFreePorts(1);
  for (const key of [...executorKeys, utilityKey]) await anvil('anvil_setBalance', [privateKeyToAccount(key).address, toHex(parseEther('1000'))]);
  bundler = await startBundler({ rpcUrl: stack.rpcUrl, port, executorPrivateKeys: executorKeys, utilityPrivateKey: utilityKey });
  receiver = await startReceiver();
});
afterAll(async () => {
  await bundler?.stop();
  await receiver?.close();
  // anvil_reorg leaves anvil's block clock seconds behind the wall clock, and files after this one (the
  // sponsorship windows of re-sponsor.test.ts) compare the two: set it back to now.
  const latest = await chain.getBlock({ blockTag: 'latest' });
  const now = BigInt(Math.floor(Date.now() / 1000)) + 1n;
  await anvil('evm_setNextBlockTimestamp', [toHex(now > latest.timestamp ? now : latest.timestamp + 1n)]);
  await anvil('evm_mine');
});

async function startApp(env: Record<string, string>): Promise<{ t: TestApp; actor: Actor }> {
  const t = await createTestApp({
    worker: true,
    env: { BUNDLER_URL: bundler.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', STALLED_AFTER_SECONDS: '5', INCLUSION_TIMEOUT_SECONDS: '300', ...env },
  });
  return { t, actor: await createMintingClient(t, { webhookUrl: receiver.url(`/${env.CONFIRMATIONS ?? env.CONFIRM_AT}`) }) };
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(100)) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
  }
}

const view = (t: TestApp, actor: Actor, id: string) =>
  api(t, actor)
    .get(`/api/v1/transactions/${id}`)
    .then((res) => res.body);

/** Waits until the tracker has polled a few more times: whatever it would do with the chain as it is now, it has done. */
async function trackerCaughtUp(t: TestApp) {
  const polls = t.worker!.tracker.stats.polls;
  await until(
    'tracker polls',
    async () => t.worker!.tracker.stats.polls,
    (n) => n >= polls + 3,
  );
}

/** On the chain as it is now: one UserOperation of this account executed, and it minted `amount` once. */
async function executedOnce(t: TestApp, actor: Actor, id: string, amount: bigint) {
  const row = (await findTransaction(t.ctx.db, id))!;
  const sender = row.wallet_address as Address;
  expect(await chain.readContract({ address: ENTRY_POINT_07_ADDRESS, abi: entryPointAbi, functionName: 'getNonce', args: [sender, 0n] })).toBe(1n);
  expect(await chain.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [sender] })).toBe(amount);
  const events = await chain.getLogs({ address: ENTRY_POINT_07_ADDRESS, event: userOperationEvent, args: { sender }, fromBlock: 0n });
  expect(events.map((e) => e.args.userOpHash)).toEqual([row.user_op_hash]);
  expect(events[0].blockNumber).toBe(BigInt(row.block_number!));
  expect(events[0].blockHash.toLowerCase()).toBe(row.block_hash);
}

describe('CONFIRMATIONS=2: an inclusion reorged out below its depth', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => ({ t, actor } = await startApp({ CONFIRMATIONS: '2' })));
  afterAll(() => t?.close());

  it('is recorded at once, forgotten by the reorg, re-sent, and CONFIRMED only at depth where it lands next', async () => {
    const res = await requestMint(t, actor, 'below-depth', { receiptId: 'reorg-below-depth', amountWei: 7n });
    expect(res.status).toBe(202);
    const id = res.body.transactionId;
    const included = await until(
      'an includedBlock',
      () => view(t, actor, id),
      (v) => v.includedBlock !== null,
    );
    expect(included).toMatchObject({ status: 'SUBMITTED', blockNumber: included.includedBlock.number, txHash: expect.stringMatching(/^0x/) });
    expect(await chain.getBlockNumber({ cacheTime: 0 })).toBe(BigInt(included.includedBlock.number));
    // No depth yet: another poll or three change nothing.
    await trackerCaughtUp(t);
    expect((await view(t, actor, id)).status).toBe('SUBMITTED');

    const [reorgsBefore, pendingBefore] = [await reorgCount('reorg'), await reorgCount('pending-inclusion')];
    await anvil('anvil_reorg', [1, []]);
    const forgotten = await until(
      'the inclusion forgotten or replaced',
      () => view(t, actor, id),
      (v) => v.includedBlock?.hash !== included.includedBlock.hash,
    );
    expect(forgotten.status).toBe('SUBMITTED');
    const again = await until(
      'the re-sent operation included',
      () => view(t, actor, id),
      (v) => v.includedBlock !== null,
    );
    expect(again.status).toBe('SUBMITTED');
    expect(again.includedBlock.hash).not.toBe(included.includedBlock.hash);
    expect([await reorgCount('reorg'), await reorgCount('pending-inclusion')]).toEqual([reorgsBefore + 1, pendingBefore + 1]);

    await anvil('anvil_mine', [toHex(2)]);
    const done = await waitForTerminal(t, actor, id);
    expect(done).toMatchObject({ status: 'CONFIRMED', includedBlock: again.includedBlock, blockNumber: again.includedBlock.number, reorgedAt: null });
    const reasons = done.history.map((h: { reason: string }) => h.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(`^included in block ${included.includedBlock.number} \\(${included.includedBlock.hash}\\); settles as CONFIRMED after 2 confirmations$`),
        ),
        `inclusion in block ${included.includedBlock.number} (${included.includedBlock.hash}) reorged out before it settled; re-sent, waiting to be included again`,
        `included; block ${again.includedBlock.number} has 2 confirmations`,
      ]),
    );
    await executedOnce(t, actor, id, 7n);
    // One webhook: the truth, once (the reorg happened before anything was reported).
    await trackerCaughtUp(t);
    const events = receiver.received.filter((r) => r.path === '/2').map((r) => verifyWebhook(r, actor.client.webhookSecret));
    expect(events.map((e) => [e.event, e.data.transactionId])).toEqual([['transaction.confirmed', id]]);
    expect(events[0].data).toMatchObject({ status: 'CONFIRMED', blockNumber: again.includedBlock.number });
  });
});

describe('CONFIRMATIONS=0: a CONFIRMED transaction whose block is reorged out', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => ({ t, actor } = await startApp({ CONFIRMATIONS: '0' })));
  afterAll(() => t?.close());

  it('stays CONFIRMED, is reported by transaction.reorged and history, and is re-sent until included again', async () => {
    const res = await requestMint(t, actor, 'at-head', { receiptId: 'reorg-at-head', amountWei: 9n });
    const id = res.body.transactionId;
    const confirmed = await waitForTerminal(t, actor, id);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', includedBlock: { number: confirmed.blockNumber, hash: expect.stringMatching(/^0x/) } });
    const lost = confirmed.includedBlock;
    const settledBefore = await reorgCount('settled-inclusion');

    await anvil('anvil_reorg', [1, []]);
    const eventsTo0 = async () => receiver.received.filter((r) => r.path === '/0').map((r) => verifyWebhook(r, actor.client.webhookSecret));
    const event = (await until('transaction.reorged', eventsTo0, (events) => events.some((e) => e.event === 'transaction.reorged'))).find(
      (e) => e.event === 'transaction.reorged',
    )!;
    expect(event.data).toMatchObject({
      transactionId: id,
      status: 'CONFIRMED',
      txHash: null,
      blockNumber: null,
      reorgedFrom: { txHash: confirmed.txHash, blockNumber: lost.number, blockHash: lost.hash },
      reason: `CONFIRMED in block ${lost.number} (${lost.hash}), which a reorg took out; the stored operation is re-sent until it is included again`,
    });

    const again = await until(
      'included again',
      () => view(t, actor, id),
      (v) => v.includedBlock !== null && v.includedBlock.hash !== lost.hash,
    );
    expect(again).toMatchObject({ status: 'CONFIRMED', reorgedAt: expect.any(String), blockNumber: again.includedBlock.number });
    expect(again.history.map((h: { status: string; reason: string }) => [h.status, h.reason]).slice(-2)).toEqual([
      ['CONFIRMED', event.data.reason],
      ['CONFIRMED', `included again after a reorg, in block ${again.includedBlock.number} (${again.includedBlock.hash})`],
    ]);
    await executedOnce(t, actor, id, 9n);
    expect(await reorgCount('settled-inclusion')).toBe(settledBefore + 1);
    expect((await eventsTo0()).map((e) => e.event).sort()).toEqual(['transaction.confirmed', 'transaction.reorged']);
  });
});

describe('CONFIRM_AT=safe', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => ({ t, actor } = await startApp({ CONFIRM_AT: 'safe' })));
  afterAll(() => t?.close());

  it('stays SUBMITTED until the chain reports its block safe (anvil: 32 blocks deep), then CONFIRMED', async () => {
    const res = await requestMint(t, actor, 'safe', { receiptId: 'reorg-safe', amountWei: 3n });
    const id = res.body.transactionId;
    const included = await until(
      'an includedBlock',
      () => view(t, actor, id),
      (v) => v.includedBlock !== null,
    );
    await anvil('anvil_mine', [toHex(31)]);
    await trackerCaughtUp(t);
    expect(await chain.getBlock({ blockTag: 'safe' }).then((b) => b.number)).toBe(BigInt(included.includedBlock.number) - 1n);
    expect((await view(t, actor, id)).status).toBe('SUBMITTED');
    await anvil('anvil_mine', [toHex(1)]);
    const done = await waitForTerminal(t, actor, id);
    expect(done).toMatchObject({ status: 'CONFIRMED', includedBlock: included.includedBlock });
    expect(done.history.at(-1).reason).toBe(`included; the safe block reached block ${included.includedBlock.number}`);
    await executedOnce(t, actor, id, 3n);
  });
});
