// Hosted providers' limits, on the real stack behind a faulty stand-in: an eth_getLogs range wider
// than the provider allows is refused (the tracker narrows it, never passing over a block, and widens
// it again), a 429/5xx is waited out as Retry-After asks, and a tracker far behind the head catches up
// in bounded ranges.
import { HttpRequestError, createPublicClient, erc20Abi, http, parseEther, parseAbiItem, zeroAddress, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, testEnvironment, type TestApp } from '../support/test-app.js';
import { parseConfig } from '../../src/config/load.js';
import { startRpcProxy, type RecordedCall, type RpcProxy, type RpcRequest } from '../support/rpc-proxy.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, sleep, terminalStatuses, until } from './support.js';
import { createChainPublicClient } from '../../src/chain/clients.js';
import { createUserOpClients } from '../../src/userop/clients.js';
import { MAX_RANGE } from '../../src/tracking/inclusion-tracker.js';
import { TRACKER_CURSOR, findCursorBlock } from '../../src/db/chain-cursors.js';
import { DEFAULT_BACKOFF } from '../../src/chain/http-backoff.js';

const stack = testStackEnv();
// cacheTime 0: viem otherwise answers getBlockNumber from a cache up to 4 s old, and a head read just
// after mining a backlog would be the head from before it (the tracker then "reaches" it at once).
const anvil = createPublicClient({ transport: http(stack.rpcUrl, { timeout: 60_000, retryCount: 0 }), cacheTime: 0 });
/** The backlogs take a while to mine and to read. */
const LONG_TEST_MS = 180_000;
let rpc: RpcProxy;
let bundler: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  rpc = await startRpcProxy(stack.rpcUrl);
  bundler = await startRpcProxy(stack.bundlerUrl);
  t = await createTestApp({ worker: true, env: { RPC_URL: rpc.url, BUNDLER_URL: bundler.url } });
  actor = await createMintingClient(t);
});
afterEach(() => {
  rpc.intercept = undefined;
  rpc.failing = false;
  bundler.intercept = undefined;
  bundler.failing = false;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
  await rpc.close();
});

type Span = { from: bigint; to: bigint };
const spanOf = (call: RpcRequest): Span => {
  const [{ fromBlock, toBlock }] = call.params as [{ fromBlock: Hex; toBlock: Hex }];
  return { from: BigInt(fromBlock), to: BigInt(toBlock) };
};
const width = ({ from, to }: Span) => to - from + 1n;
/** The tracker's reads: both EntryPoint events at once (a lookup of one operation asks for one event). */
const isTrackerRead = ({ call }: RecordedCall) => call.method === 'eth_getLogs' && Array.isArray((call.params as [{ topics?: unknown[] }])[0].topics?.[0]);

/** Empty blocks straight on anvil, all with the current timestamp (no one's sponsorship window moves), in batches anvil answers promptly. */
async function mine(blocks: number) {
  for (let left = blocks; left > 0; left -= 500) {
    await anvil.request({ method: 'anvil_mine' as never, params: [`0x${Math.min(500, left).toString(16)}`, '0x0'] as never });
  }
}

const USER_OPERATION_EVENT = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);
/** The block the chain included an operation in, read on anvil directly (not through the stand-in). */
async function inclusionBlock(userOpHash: Hex): Promise<bigint | undefined> {
  const logs = await anvil.getLogs({
    address: t.config.contracts.entryPoint,
    event: USER_OPERATION_EVENT,
    args: { userOpHash },
    fromBlock: 0n,
    toBlock: 'latest',
  });
  return logs[0]?.blockNumber ?? undefined;
}

/** Fails unless each read starts right after the one before it. */
function expectContiguous(spans: Span[]) {
  for (let i = 1; i < spans.length; i++) expect(spans[i].from).toBe(spans[i - 1].to + 1n);
}

describe('a provider that refuses eth_getLogs ranges wider than 10 blocks', () => {
  const LIMIT = 10n;
  const blind = { error: { code: -32603, message: 'upstream timeout' } };
  /**
   * Refuses wider tracker reads in QuickNode's words for its block-range cap; until it has refused one,
   * narrow reads stay blind too, so that a poll begun before the backlog cannot read past it first.
   */
  const refuseWide = () => {
    let refusedOne = false;
    return (call: RpcRequest) => {
      if (!isTrackerRead({ call, at: 0, status: 200 })) return undefined;
      if (width(spanOf(call)) > LIMIT) {
        refusedOne = true;
        return { error: { code: -32614, message: `eth_getLogs is limited to a ${LIMIT} range` } };
      }
      return refusedOne ? undefined : blind;
    };
  };

  it(
    'still confirms operations included inside a refused range, reading every block once, and widens again once allowed',
    async () => {
      // Two users: one user's next operation waits for the previous one to be settled.
      const users = ['limited-a', 'limited-b'];
      for (const u of users) {
        await createWallet(t, actor, u);
        await fund(t, actor, u, '10');
      }
      const to = privateKeyToAccount(generatePrivateKey()).address;
      // The tracker blind while both are included, so that they sit in a backlog it must read later.
      rpc.intercept = (call) => (isTrackerRead({ call, at: 0, status: 200 }) ? blind : undefined);
      const ids = (await Promise.all(users.map((u) => acceptTransfers(t, actor, { userId: u, to, count: 1 })))).flat();
      const blocks: bigint[] = [];
      const deadline = Date.now() + 60_000;
      while (blocks.length < ids.length) {
        if (Date.now() > deadline) throw new Error('operations not included within 60 s');
        const rows = await t.ctx.db.selectFrom('transactions').select('user_op_hash').where('id', 'in', ids).execute();
        blocks.length = 0;
        for (const row of rows) {
          const block = row.user_op_hash ? await inclusionBlock(row.user_op_hash as Hex) : undefined;
          if (block !== undefined) blocks.push(block);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      // A backlog behind them, still unread (the tracker is blind), then the provider's limit.
      await mine(500);
      const backlogEnd = await anvil.getBlockNumber();
      const cursorBefore = (await findCursorBlock(t.ctx.db, TRACKER_CURSOR))!;
      expect(blocks.every((b) => b > cursorBefore)).toBe(true);
      const start = rpc.recorded.length;
      rpc.intercept = refuseWide();
      const done = await terminalStatuses(t, actor, ids);
      expect(done.map((d) => d.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
      // Both are confirmed as soon as their blocks are read, maybe before the range widened again: the
      // rest of the backlog is where it does.
      await until(() => rpc.recorded.slice(start).some((r) => isTrackerRead(r) && width(spanOf(r.call)) <= LIMIT && spanOf(r.call).to >= backlogEnd), {
        timeoutMs: 30_000,
        what: () => `the tracker reading through block ${backlogEnd}`,
      });

      const reads = rpc.recorded.slice(start).filter(isTrackerRead);
      const firstWide = reads.findIndex((r) => width(spanOf(r.call)) > LIMIT);
      reads.splice(0, firstWide);
      const refused = reads.filter((r) => width(spanOf(r.call)) > LIMIT).map((r) => spanOf(r.call));
      const read = reads.filter((r) => width(spanOf(r.call)) <= LIMIT).map((r) => spanOf(r.call));
      // The first request covered the whole backlog, both inclusions with it, and was refused.
      expect(refused[0].from).toBe(cursorBefore + 1n);
      for (const b of blocks) expect(b >= refused[0].from && b <= refused[0].to).toBe(true);
      // Then every block was read in order, none passed over, the inclusions among them.
      expect(read[0].from).toBe(cursorBefore + 1n);
      expectContiguous(read);
      for (const b of blocks) expect(read.some((s) => b >= s.from && b <= s.to)).toBe(true);
      // It narrowed to what the provider allows, and, after successes, tried wider again (and was refused).
      const firstRead = reads.findIndex((r) => width(spanOf(r.call)) <= LIMIT);
      expect(reads.slice(firstRead).some((r) => width(spanOf(r.call)) > LIMIT)).toBe(true);
      expect(t.worker!.tracker.stats.rangeRefusals).toBeGreaterThan(refused.length - 1);

      // The limit lifted: a new backlog is read in ranges wider than the old limit again. The tracker is
      // blind while it is mined, so that it meets the whole backlog at once: reading blocks as they
      // trickle in (a loaded machine mines 500 slowly), every read is narrower than its range and
      // none counts towards widening.
      rpc.intercept = (call) => (isTrackerRead({ call, at: 0, status: 200 }) ? blind : undefined);
      await mine(500);
      const head = await anvil.getBlockNumber();
      const cursorAtLift = (await findCursorBlock(t.ctx.db, TRACKER_CURSOR))!;
      const liftedAt = rpc.recorded.length;
      rpc.intercept = undefined;
      await until(() => rpc.recorded.slice(liftedAt).some((r) => isTrackerRead(r) && spanOf(r.call).to >= head), {
        timeoutMs: 30_000,
        what: () => `the tracker reaching block ${head}`,
      });
      const after = rpc.recorded
        .slice(liftedAt)
        .filter(isTrackerRead)
        .map((r) => spanOf(r.call));
      expectContiguous(after);
      // Said in full when it fails: where the tracker stood at the lift and every read it made after.
      const readSpans = after.map((s) => `${s.from}-${s.to}`).join(' ');
      if (!after.some((s) => width(s) > LIMIT))
        throw new Error(`no read wider than ${LIMIT} after the lift: cursor ${cursorAtLift}, head ${head}, reads ${readSpans}`);
    },
    LONG_TEST_MS,
  );
});

describe('a tracker far behind the head after a long outage', () => {
  it(
    'catches up in ranges no wider than the maximum, every block read once',
    async () => {
      rpc.failing = true;
      // A read begun before the outage may still move the cursor: the tracker reads and saves one range
      // at a time, so once one of its requests has failed, the cursor stays where it is.
      const failedBefore = rpc.failedCalls.length;
      await until(() => rpc.failedCalls.length > failedBefore, { timeoutMs: 15_000, what: () => 'a request failed by the outage' });
      const cursorBefore = (await findCursorBlock(t.ctx.db, TRACKER_CURSOR))!;
      // Two and a half times the widest range (anvil mines some 70 blocks a second here).
      await mine(2_500);
      const head = await anvil.getBlockNumber();
      const start = rpc.recorded.length;
      rpc.failing = false;
      await until(() => rpc.recorded.slice(start).some((r) => isTrackerRead(r) && spanOf(r.call).to >= head), {
        timeoutMs: 60_000,
        what: () => `the tracker reaching block ${head}`,
      });
      const reads = rpc.recorded
        .slice(start)
        .filter(isTrackerRead)
        .map((r) => spanOf(r.call));
      expect(reads[0].from).toBe(cursorBefore + 1n);
      expectContiguous(reads);
      expect(reads.every((s) => width(s) <= MAX_RANGE)).toBe(true);
      expect(reads.length).toBeGreaterThanOrEqual(3);
      // Having met no limit since, its ranges grew (up to the maximum, if there already).
      const [widest] = reads.map(width).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
      expect(widest === MAX_RANGE || widest > width(reads[0])).toBe(true);
    },
    LONG_TEST_MS,
  );
});

describe('a provider answering 429 or 5xx', () => {
  let limited: RpcProxy;
  let bundlerProxy: RpcProxy;
  beforeAll(async () => {
    limited = await startRpcProxy(stack.rpcUrl);
    bundlerProxy = await startRpcProxy(stack.bundlerUrl);
  });
  afterEach(() => {
    limited.intercept = undefined;
    bundlerProxy.intercept = undefined;
    limited.recorded.length = 0;
    bundlerProxy.recorded.length = 0;
  });
  afterAll(async () => {
    await limited.close();
    await bundlerProxy.close();
  });

  /** Answers the first `n` calls of `method` at the HTTP level, then lets them through. */
  const refuseFirst = (proxy: RpcProxy, method: string, n: number, http: (i: number) => { status: number; headers?: Record<string, string> }) => {
    let seen = 0;
    proxy.intercept = (call) => (call.method === method && seen < n ? { http: http(seen++) } : undefined);
  };
  const attempts = (proxy: RpcProxy, method: string) => proxy.recorded.filter((r) => r.call.method === method);

  it('the chain RPC: a 429 with Retry-After: 1 is tried again no sooner than a second later, until it succeeds', async () => {
    const client = createChainPublicClient({ rpcUrls: [limited.url], chainId: stack.chainId });
    refuseFirst(limited, 'eth_blockNumber', 2, () => ({ status: 429, headers: { 'Retry-After': '1' } }));
    expect(await client.getBlockNumber()).toBe(await anvil.getBlockNumber());
    const tries = attempts(limited, 'eth_blockNumber');
    expect(tries.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1_000);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(1_000);
  });

  it('the chain RPC: a 503 without Retry-After is backed off and tried again until it succeeds', async () => {
    const client = createChainPublicClient({ rpcUrls: [limited.url], chainId: stack.chainId });
    refuseFirst(limited, 'eth_chainId', 3, () => ({ status: 503 }));
    expect(await client.getChainId()).toBe(stack.chainId);
    const tries = attempts(limited, 'eth_chainId');
    expect(tries.map((r) => r.status)).toEqual([503, 503, 503, 200]);
    // Each pause at least half its doubling window (250, 500, 1000 ms): it backs off, it does not hammer.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs / 2);
    expect(tries[3].at - tries[2].at).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.baseMs * 2);
  });

  it('the chain RPC: a 429 that never ends fails the call after a bounded number of attempts', async () => {
    const client = createChainPublicClient({ rpcUrls: [limited.url], chainId: stack.chainId });
    refuseFirst(limited, 'eth_blockNumber', Number.POSITIVE_INFINITY, () => ({ status: 429, headers: { 'Retry-After': '0' } }));
    const error = await client.getBlockNumber().catch((e: unknown) => e);
    expect((error as { walk: (f: (e: unknown) => boolean) => unknown }).walk((e) => e instanceof HttpRequestError)).toMatchObject({ status: 429 });
    expect(attempts(limited, 'eth_blockNumber')).toHaveLength(DEFAULT_BACKOFF.attempts);
  });

  it('the chain RPC: RPC_RETRY_ATTEMPTS and RPC_RETRY_MAX_WAIT_SECONDS bound the wait, for every client of the configuration', async () => {
    const { chain } = parseConfig(
      testEnvironment('postgres://unused@127.0.0.1/x', { RPC_URL: limited.url, RPC_RETRY_ATTEMPTS: '3', RPC_RETRY_MAX_WAIT_SECONDS: '0.5' }),
      'external',
    );
    expect(chain.backoff).toEqual({ ...DEFAULT_BACKOFF, attempts: 3, capMs: 500 });
    const client = createChainPublicClient(chain);
    // Retry-After asks for a minute: the cap makes it half a second.
    refuseFirst(limited, 'eth_blockNumber', Number.POSITIVE_INFINITY, () => ({ status: 429, headers: { 'Retry-After': '60' } }));
    await expect(client.getBlockNumber()).rejects.toThrow();
    expect(attempts(limited, 'eth_blockNumber')).toHaveLength(3);
  });

  it('the chain RPC: other failures keep their retries as before (twice), unaffected by the backoff', async () => {
    const client = createChainPublicClient({ rpcUrls: [limited.url], chainId: stack.chainId });
    limited.intercept = (call) => (call.method === 'eth_blockNumber' ? { error: { code: -32603, message: 'upstream timeout' } } : undefined);
    await expect(client.getBlockNumber()).rejects.toThrow();
    expect(attempts(limited, 'eth_blockNumber')).toHaveLength(3);
  });

  const bundlerClient = () =>
    createUserOpClients(createChainPublicClient({ rpcUrls: [stack.rpcUrl], chainId: stack.chainId }), {
      bundlerUrls: [bundlerProxy.url],
      chainId: stack.chainId,
      sponsorship: { mode: 'own', paymaster: zeroAddress, signerKey: TEST_PAYMASTER_SIGNER_KEY, validSeconds: 60, minCoverSeconds: 3600 },
    }).bundler;

  it('the bundler: a 503 with Retry-After as an HTTP date is tried again no sooner than that date', async () => {
    const bundler = bundlerClient();
    let retryAt = 0;
    refuseFirst(bundlerProxy, 'eth_supportedEntryPoints', 1, () => {
      const date = new Date(Date.now() + 2_000).toUTCString();
      retryAt = Date.parse(date);
      return { status: 503, headers: { 'Retry-After': date } };
    });
    expect((await bundler.getSupportedEntryPoints()).map((a) => a.toLowerCase())).toContain(t.config.contracts.entryPoint.toLowerCase());
    const tries = attempts(bundlerProxy, 'eth_supportedEntryPoints');
    expect(tries.map((r) => r.status)).toEqual([503, 200]);
    expect(tries[1].at).toBeGreaterThanOrEqual(retryAt);
  });

  it('the bundler: a 429 is waited out, but a JSON-RPC failure is still left to the submit job (no retry)', async () => {
    const bundler = bundlerClient();
    refuseFirst(bundlerProxy, 'eth_supportedEntryPoints', 2, () => ({ status: 429, headers: { 'Retry-After': '1' } }));
    expect((await bundler.getSupportedEntryPoints()).map((a) => a.toLowerCase())).toContain(t.config.contracts.entryPoint.toLowerCase());
    const tries = attempts(bundlerProxy, 'eth_supportedEntryPoints');
    expect(tries.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(1_000);

    bundlerProxy.intercept = (call) => (call.method === 'eth_chainId' ? { error: { code: -32603, message: 'internal error' } } : undefined);
    await expect(bundler.request({ method: 'eth_chainId' })).rejects.toThrow();
    expect(attempts(bundlerProxy, 'eth_chainId')).toHaveLength(1);
  });
});

describe('a bundler rate-limiting the sends of a transaction', () => {
  it(
    'the send waits as Retry-After asks, the transaction is confirmed and executes once',
    async () => {
      await createWallet(t, actor, 'throttled');
      await fund(t, actor, 'throttled', '5');
      const to = privateKeyToAccount(generatePrivateKey()).address;
      let refusals = 0;
      bundler.intercept = (call) => {
        if (call.method !== 'eth_sendUserOperation' || refusals >= 2) return undefined;
        refusals++;
        return { http: { status: 429, headers: { 'Retry-After': '1' } } };
      };
      // The funding mint went through the same bundler.
      const from = bundler.recorded.length;
      const [id] = await acceptTransfers(t, actor, { userId: 'throttled', to, count: 1 });
      const [done] = await terminalStatuses(t, actor, [id]);
      expect(done.status).toBe('CONFIRMED');
      expect(done.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
      const sends = bundler.recorded.slice(from).filter((r) => r.call.method === 'eth_sendUserOperation');
      expect(sends.map((r) => r.status)).toEqual([429, 429, 200]);
      expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(1_000);
      expect(sends[2].at - sends[1].at).toBeGreaterThanOrEqual(1_000);
      expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
        parseEther('1'),
      );
    },
    LONG_TEST_MS,
  );
});

describe('a chain RPC answering every call with 429 for 20 seconds', () => {
  const WINDOW_MS = 20_000;
  it(
    'operations in flight through it end CONFIRMED, each executed once, none FAILED; one asked for during it is refused whole, then taken',
    async () => {
      const users = ['flooded-a', 'flooded-b', 'flooded-c'];
      for (const u of users) {
        await createWallet(t, actor, u);
        await fund(t, actor, u, '5');
      }
      const to = privateKeyToAccount(generatePrivateKey()).address;
      // Accepted while the bundler is away, so that all of their sending and tracking falls in the window.
      bundler.failing = true;
      const inFlight = (await Promise.all(users.map((u) => acceptTransfers(t, actor, { userId: u, to, count: 1 })))).flat();
      await until(() => bundler.failedCalls.length > 0, { timeoutMs: 15_000, what: () => 'a first request to the bundler' });
      const from = rpc.recorded.length;
      // No Retry-After: the provider leaves the pause to us.
      rpc.intercept = () => ({ http: { status: 429 } });
      const limitedSince = Date.now();
      bundler.failing = false;
      // Accepting reads the chain's fee cap (cached for a second): past that, a request waits out its
      // bounded backoff and is answered 503, having recorded nothing; the client asks again later.
      await sleep(2_000);
      const key = { 'X-Idempotency-Key': 'flooded-late' };
      const refusedRequest = await api(t, actor, 'flooded-a').post('/api/v1/wallet/transfer', { to, amount: '1' }, key);
      expect(refusedRequest.status).toBe(503);
      expect(refusedRequest.body.code).toBe('SERVICE_UNAVAILABLE');
      await sleep(Math.max(0, WINDOW_MS - (Date.now() - limitedSince)));
      const refused = rpc.recorded.slice(from).filter((r) => r.status === 429);
      // The worker kept asking through the window, not only the tracker.
      expect(new Set(refused.map((r) => r.call.method)).size).toBeGreaterThan(1);
      // No inclusion could be read meanwhile, so none was settled during the window.
      const settled = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', inFlight).where('status', '=', 'CONFIRMED').execute();
      expect(settled).toEqual([]);
      rpc.intercept = undefined;

      const retried = await api(t, actor, 'flooded-a').post('/api/v1/wallet/transfer', { to, amount: '1' }, key);
      expect(retried.status).toBe(202);
      const ids = [...inFlight, retried.body.transactionId as string];
      const done = await terminalStatuses(t, actor, ids);
      expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
      for (const d of done) expect(d.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
      const rows = await t.ctx.db.selectFrom('transactions').select('user_op_hash').where('id', 'in', ids).execute();
      expect(rows).toHaveLength(ids.length);
      for (const { user_op_hash } of rows) {
        const events = await anvil.getLogs({
          address: t.config.contracts.entryPoint,
          event: USER_OPERATION_EVENT,
          args: { userOpHash: user_op_hash as Hex },
          fromBlock: 0n,
          toBlock: 'latest',
        });
        expect(events).toHaveLength(1);
      }
      expect(await anvil.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
        parseEther(String(ids.length)),
      );
    },
    LONG_TEST_MS,
  );
});
