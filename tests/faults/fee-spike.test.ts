// A base fee ×10 after submission, on a chain of this file's own (the test mines every block itself and
// sets its base fee): the stall says `underpriced`, and then (a) fees come back down within
// FEE_SPIKE_WAIT_SECONDS → the original is included as signed; (b) fees stay high → after the wait it is
// re-built at current fees with the same nonce and included; (c) with MAX_FEE_PER_GAS_GWEI below the
// spiked fees nothing is signed above the cap: a submitted operation is not re-built and a new one waits
// ACCEPTED, both completing once fees drop; (d) the old version included after all, after the re-build:
// settled by its hash. Each executed exactly once (EntryPoint nonce, balance, events).
//
// What alto (as pinned) does, found by experiment: an operation it holds is bundled even below the base
// fee (the bundler pays the difference), so a spike stalls only an operation the bundler no longer holds
// (a restart, an eviction). Sending one again is then judged by alto's API version: v1, its default and
// the embedded stack's, takes any fee; v2, like hosted bundlers, refuses a maxFeePerGas below the lowest
// quote of its last --gas-price-expiry seconds ("maxFeePerGas must be at least …"). So this file's alto
// serves v2 with a 1 s expiry (20 s by default), and the bundler's stand-in swallows the first send of
// each operation: every re-send is judged by the real alto.
import { erc20Abi, http, parseAbi, parseAbiItem, parseGwei, toHex, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { findTransaction, listTransitions } from '../../src/db/transactions.js';
import type { Transaction } from '../../src/db/schema.js';
import { createBundlerClient } from 'viem/account-abstraction';
import { getUserOperationFees } from '../../src/userop/clients.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { WAITING_FOR_FEES } from '../../src/jobs/wait-for-fees.js';
import { startWorker, type RunningWorker } from '../../src/runtime/services.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { startOwnChain, type OwnChain } from './own-chain.js';
import { sleep } from './support.js';

const LOW_BASE_FEE = parseGwei('1');
const SPIKED_BASE_FEE = LOW_BASE_FEE * 10n;
const STALLED_AFTER_SECONDS = 4;
const FEE_SPIKE_WAIT_SECONDS = 8;

const entryPointAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);
const userOperationEvent = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);

let own: OwnChain;
let bundler: RpcProxy;
let baseFee = LOW_BASE_FEE;
let mining = true;
let miner: Promise<void> | undefined;
/** Senders whose next eth_sendUserOperation the stand-in swallows (answering as if it took it). */
const loseNextSendOf = new Set<string>();
/** Senders whose every eth_sendUserOperation it swallows while they are here. */
const loseEverySendOf = new Set<string>();

beforeAll(async () => {
  own = await startOwnChain({ bundlerArgs: ['--default-api-version', 'v2', '--gas-price-expiry', '1'] });
  bundler = await startRpcProxy(own.bundlerUrl);
  bundler.intercept = (call) => {
    if (call.method !== 'eth_sendUserOperation') return undefined;
    const sender = (call.params as [{ sender: string }])[0].sender.toLowerCase();
    if (!loseNextSendOf.delete(sender) && !loseEverySendOf.has(sender)) return undefined;
    return { result: `0x${'00'.repeat(32)}` };
  };
  // Every block is mined here, four a second, each with the base fee the test currently wants.
  await own.anvil('evm_setAutomine', [false]);
  miner = (async () => {
    while (mining) {
      await own.anvil('anvil_setNextBlockBaseFeePerGas', [toHex(baseFee)]);
      await own.anvil('evm_mine');
      await sleep(250);
    }
  })();
}, 120_000);
afterAll(async () => {
  mining = false;
  await miner;
  await bundler?.close();
  await own?.stop();
});

async function startApp(env: Record<string, string> = {}, { worker = true } = {}): Promise<{ t: TestApp; actor: Actor }> {
  const t = await createTestApp({
    worker,
    env: {
      ...own.env,
      BUNDLER_URL: bundler.url,
      STALLED_AFTER_SECONDS: String(STALLED_AFTER_SECONDS),
      FEE_SPIKE_WAIT_SECONDS: String(FEE_SPIKE_WAIT_SECONDS),
      INCLUSION_TIMEOUT_SECONDS: '300',
      ...env,
    },
  });
  const signer = privateKeyToAccount(generatePrivateKey());
  const client = await t.createClient({ signerAddress: signer.address, tokenAddress: await own.deployToken(signer.address) });
  // Webhook events are recorded for a client with a URL (nothing listens there; only the records are read).
  await t.ctx.db.updateTable('clients').set({ webhook_url: 'http://127.0.0.1:9/never' }).where('id', '=', client.clientId).execute();
  return { t, actor: { client, signer, token: await t.tokenFor(client) } };
}

/**
 * A mint for a new user whose first send the bundler loses; resolves once it is SUBMITTED. Signed at
 * the low fees: alto's quote still remembers an earlier spike for a moment.
 */
async function submitLostMint(t: TestApp, actor: Actor, userId: string, amountWei: bigint): Promise<string> {
  baseFee = LOW_BASE_FEE;
  await untilQuoteBelow(SPIKED_BASE_FEE);
  // The wallet's address is known before anything is sent (requestMint's own wallet/create is idempotent).
  loseNextSendOf.add((await createWallet(t, actor, userId)).toLowerCase());
  const res = await requestMint(t, actor, userId, { receiptId: `${userId}-receipt`, amountWei });
  if (res.status !== 202) throw new Error(`mint/execute: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.transactionId as string;
  await until(t, id, (tx) => tx.status === 'SUBMITTED', 'SUBMITTED');
  return id;
}

const altoQuote = async () =>
  (await getUserOperationFees({ bundler: createBundlerClient({ transport: http(own.bundlerUrl) }), publicClient: own.chain as never })).maxFeePerGas;

async function untilQuote(holds: (maxFeePerGas: bigint) => boolean, timeoutMs = 30_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const quote = await altoQuote();
    if (holds(quote)) return;
    if (Date.now() > deadline) throw new Error(`alto still quotes ${quote} after ${timeoutMs} ms`);
    await sleep(100);
  }
}
const untilQuoteBelow = (maxFeePerGas: bigint) => untilQuote((quote) => quote < maxFeePerGas);

async function until(t: TestApp, id: string, condition: (tx: Transaction) => boolean, what: string, timeoutMs = 60_000): Promise<Transaction> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const tx = (await findTransaction(t.ctx.db, id))!;
    if (condition(tx)) return tx;
    if (Date.now() > deadline) throw new Error(`transaction ${id} not ${what} after ${timeoutMs} ms: ${tx.status}, ${tx.stall_reason}`);
    await sleep(100);
  }
}

const stalledEvents = (t: TestApp, id: string) =>
  t.ctx.db.selectFrom('webhook_events').select('body').where('transaction_id', '=', id).where('event_type', '=', 'transaction.stalled').execute();

const maxFeeOf = (userOp: unknown) => BigInt((userOp as { maxFeePerGas: string }).maxFeePerGas);

/** One UserOperation of the account ever executed (hash `userOpHash`), and it minted `amountWei` once. */
async function expectExecutedOnce(actor: Actor, row: Transaction, amountWei: bigint): Promise<void> {
  const sender = row.wallet_address as Address;
  expect(await own.chain.readContract({ address: ENTRY_POINT_07_ADDRESS, abi: entryPointAbi, functionName: 'getNonce', args: [sender, 0n] })).toBe(1n);
  expect(await own.chain.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [sender] })).toBe(amountWei);
  const events = await own.chain.getLogs({ address: ENTRY_POINT_07_ADDRESS, event: userOperationEvent, args: { sender }, fromBlock: 0n });
  expect(events.map((e) => e.args.userOpHash)).toEqual([row.user_op_hash]);
}

/** Spikes the base fee, waits for the operation to be flagged underpriced, and checks its webhook event. */
async function spikeUntilUnderpriced(t: TestApp, id: string): Promise<Transaction> {
  baseFee = SPIKED_BASE_FEE;
  // alto forgets its older, lower quotes only when it takes a new one: one after its expiry window does.
  await untilQuote((quote) => quote > SPIKED_BASE_FEE);
  await sleep(1_100);
  await altoQuote();
  const stalled = await until(t, id, (tx) => tx.stall_reason !== null, 'flagged stalled');
  expect(stalled.status).toBe('SUBMITTED');
  expect(stalled.stall_reason).toMatch(
    /^underpriced: not included after 4s, signed with maxFeePerGas [\d.]+ gwei below the base fee of 10 gwei; re-sent every 4s/,
  );
  expect(maxFeeOf(stalled.user_op)).toBeLessThan(SPIKED_BASE_FEE);
  const events = await stalledEvents(t, id);
  expect(events).toHaveLength(1);
  expect(JSON.parse(events[0].body as unknown as string).data).toMatchObject({ status: 'SUBMITTED', reason: stalled.stall_reason });
  return stalled;
}

describe('a base fee ×10 after submission', () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => {
    ({ t, actor } = await startApp());
  });
  afterAll(async () => {
    baseFee = LOW_BASE_FEE;
    await t?.close();
  });

  it('(a) fees back down within FEE_SPIKE_WAIT_SECONDS: the original is included as signed, CONFIRMED once', async () => {
    const id = await submitLostMint(t, actor, 'spike-a', 7n);
    const stalled = await spikeUntilUnderpriced(t, id);
    expect(stalled.stall_reason).toMatch(
      /if it is still underpriced after FEE_SPIKE_WAIT_SECONDS=8s \(.+\), it is re-built at current fees with the same nonce.*; replaced by a no-op at its deadline \(.+\) if still pending$/,
    );
    baseFee = LOW_BASE_FEE;

    const done = await waitForTerminal(t, actor, id, 60_000);
    expect(done.status).toBe('CONFIRMED');
    const row = (await findTransaction(t.ctx.db, id))!;
    expect(row.user_op_hash).toBe(stalled.user_op_hash);
    expect(row.superseded_user_op_hashes).toEqual([]);
    await expectExecutedOnce(actor, row, 7n);
  }, 120_000);

  it('(b) fees stay high: after the wait it is re-built at current fees, same nonce, CONFIRMED once', async () => {
    const id = await submitLostMint(t, actor, 'spike-b', 9n);
    const stalled = await spikeUntilUnderpriced(t, id);
    const stalledAt = Date.now();

    const done = await waitForTerminal(t, actor, id, 90_000);
    expect(done.status).toBe('CONFIRMED');
    // Not re-built before the wait was over.
    const rebuiltEntry = (await listTransitions(t.ctx.db, id)).find((h) => h.reason?.startsWith('underpriced for FEE_SPIKE_WAIT_SECONDS=8s'));
    expect(rebuiltEntry?.reason).toContain(`re-built at current fees`);
    expect(rebuiltEntry?.reason).toContain(`old hash ${stalled.user_op_hash}`);
    expect(new Date(rebuiltEntry!.at).getTime()).toBeGreaterThanOrEqual(stalledAt + (FEE_SPIKE_WAIT_SECONDS - STALLED_AFTER_SECONDS) * 1000);
    const row = (await findTransaction(t.ctx.db, id))!;
    expect(row.superseded_user_op_hashes).toEqual([stalled.user_op_hash]);
    expect(row.user_op_hash).not.toBe(stalled.user_op_hash);
    expect(row.user_op!.nonce).toBe(stalled.user_op!.nonce);
    expect(row.user_op!.callData).toBe(stalled.user_op!.callData);
    expect(maxFeeOf(row.user_op)).toBeGreaterThan(SPIKED_BASE_FEE);
    await expectExecutedOnce(actor, row, 9n);
  }, 120_000);

  it('(d) the old version included after the re-build: settled by its hash, CONFIRMED once, the re-built one never executed', async () => {
    const id = await submitLostMint(t, actor, 'spike-d', 5n);
    const sender = (await findTransaction(t.ctx.db, id))!.wallet_address.toLowerCase();
    // No send of this account reaches alto any more: neither the old version's re-sends nor the re-built one.
    loseEverySendOf.add(sender);
    try {
      const stalled = await spikeUntilUnderpriced(t, id);
      const rebuilt = await until(t, id, (tx) => tx.superseded_user_op_hashes.length > 0, 're-built', 60_000);
      expect(rebuilt.superseded_user_op_hashes).toEqual([stalled.user_op_hash]);
      // Fees fall, and the old version, still signed and valid, reaches the bundler after all (another bundler could hold it).
      baseFee = LOW_BASE_FEE;
      await untilQuoteBelow(SPIKED_BASE_FEE);
      await sleep(1_100);
      await altoQuote();
      const sent = await fetch(own.bundlerUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendUserOperation', params: [stalled.user_op, ENTRY_POINT_07_ADDRESS] }),
      }).then((r) => r.json());
      expect(sent).toEqual({ jsonrpc: '2.0', id: 1, result: stalled.user_op_hash });

      const done = await waitForTerminal(t, actor, id, 60_000);
      expect(done.status).toBe('CONFIRMED');
      const row = (await findTransaction(t.ctx.db, id))!;
      const events = await own.chain.getLogs({
        address: ENTRY_POINT_07_ADDRESS,
        event: userOperationEvent,
        args: { sender: row.wallet_address as Address },
        fromBlock: 0n,
      });
      expect(events.map((e) => e.args.userOpHash)).toEqual([stalled.user_op_hash]);
      expect(row.tx_hash).toBe(events[0].transactionHash);
      expect(
        await own.chain.readContract({
          address: ENTRY_POINT_07_ADDRESS,
          abi: entryPointAbi,
          functionName: 'getNonce',
          args: [row.wallet_address as Address, 0n],
        }),
      ).toBe(1n);
      expect(
        await own.chain.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [row.wallet_address as Address] }),
      ).toBe(5n);
    } finally {
      loseEverySendOf.delete(sender);
    }
  }, 120_000);
});

describe('a worker restarted during the spike', () => {
  let t: TestApp;
  let actor: Actor;
  let worker: RunningWorker | undefined;
  beforeAll(async () => {
    ({ t, actor } = await startApp({}, { worker: false }));
    worker = await startWorker(t.ctx);
  });
  afterAll(async () => {
    baseFee = LOW_BASE_FEE;
    await worker?.stop();
    await t?.close();
  });

  it('(e) resumes the submitted operation, whose re-send alto refuses, without ending it FAILED: re-built, CONFIRMED once', async () => {
    const id = await submitLostMint(t, actor, 'spike-e', 3n);
    const stalled = await spikeUntilUnderpriced(t, id);
    await worker!.stop();
    worker = await startWorker(t.ctx);

    const done = await waitForTerminal(t, actor, id, 90_000);
    expect(done.status).toBe('CONFIRMED');
    const row = (await findTransaction(t.ctx.db, id))!;
    expect(row.superseded_user_op_hashes).toEqual([stalled.user_op_hash]);
    await expectExecutedOnce(actor, row, 3n);
  }, 120_000);
});

describe('with MAX_FEE_PER_GAS_GWEI below the spiked fees', () => {
  const CAP = parseGwei('5');
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => {
    ({ t, actor } = await startApp({ MAX_FEE_PER_GAS_GWEI: '5' }));
  });
  afterAll(async () => {
    baseFee = LOW_BASE_FEE;
    await t?.close();
  });

  it('(c) nothing is signed above the cap: operations wait, then complete once fees drop', async () => {
    const submitted = await submitLostMint(t, actor, 'spike-c', 11n);
    const stalled = await spikeUntilUnderpriced(t, submitted);
    expect(stalled.stall_reason).toMatch(
      /current fees \(maxFeePerGas [\d.]+ gwei\) are above MAX_FEE_PER_GAS_GWEI=5, so it waits for them to fall: nothing is signed above the cap/,
    );
    // A new operation accepted now is not signed at all: it waits ACCEPTED.
    const res = await requestMint(t, actor, 'spike-c-new', { receiptId: 'spike-c-new-receipt', amountWei: 13n });
    expect(res.status).toBe(202);
    const waiting = res.body.transactionId as string;
    await until(t, waiting, () => true, 'found');
    for (const id of [submitted, waiting]) {
      await untilNoted(t, id, WAITING_FOR_FEES);
    }
    const fresh = (await findTransaction(t.ctx.db, waiting))!;
    expect(fresh.status).toBe('ACCEPTED');
    expect(fresh.user_op).toBeNull();
    // The submitted one was due for its re-build and was not re-built.
    const held = (await findTransaction(t.ctx.db, submitted))!;
    expect(held.user_op_hash).toBe(stalled.user_op_hash);
    expect(held.superseded_user_op_hashes).toEqual([]);

    baseFee = LOW_BASE_FEE;
    for (const [id, amount] of [
      [submitted, 11n],
      [waiting, 13n],
    ] as const) {
      const done = await waitForTerminal(t, actor, id, 60_000);
      expect(done.status).toBe('CONFIRMED');
      const row = (await findTransaction(t.ctx.db, id))!;
      expect(maxFeeOf(row.user_op)).toBeLessThanOrEqual(CAP);
      for (const h of await listTransitions(t.ctx.db, id)) expect(h.reason ?? '').not.toMatch(/re-built/);
      await expectExecutedOnce(actor, row, amount);
    }
    expect((await findTransaction(t.ctx.db, submitted))!.user_op_hash).toBe(stalled.user_op_hash);
  }, 120_000);
});

async function untilNoted(t: TestApp, id: string, reason: string, timeoutMs = 60_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    if ((await listTransitions(t.ctx.db, id)).some((h) => h.reason === reason)) return;
    if (Date.now() > deadline) throw new Error(`transaction ${id} has no history entry "${reason}" after ${timeoutMs} ms`);
    await sleep(100);
  }
}
