// The inclusion tracker polls the chain fast only while something is in flight: idle, it backs off,
// and a status change (in this process or any other) brings it back at once, so a transaction sent
// while it was idle is still settled. The submit job shares a fee quote across operations and keeps
// a user's deployed account, so a user's next operation asks the chain and the bundler less.
import pg from 'pg';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startWorker, type RunningWorker } from '../../src/runtime/services.js';
import { STATUS_CHANNEL } from '../../src/db/transaction-status.js';
import { createFeeQuote } from '../../src/userop/fee-quote.js';

let chain: RpcProxy;
let bundler: RpcProxy;
let t: TestApp;
let worker: RunningWorker;
let actor: Actor;

// Idle, the tracker would not poll again for a minute: anything settled within a test was woken up.
const IDLE_POLL_MS = 60_000;

beforeAll(async () => {
  const stack = testStackEnv();
  chain = await startRpcProxy(stack.rpcUrl);
  bundler = await startRpcProxy(stack.bundlerUrl);
  t = await createTestApp({ env: { RPC_URL: chain.url, BUNDLER_URL: bundler.url } });
  worker = await startWorker(t.ctx, { tracker: { idlePollMs: IDLE_POLL_MS, inFlightCheckMs: 200 }, feeQuoteTtlMs: 60_000 });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await worker.stop();
  await t.close();
  await bundler.close();
  await chain.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}
const callsTo = (proxy: RpcProxy, method: string) => proxy.calls.filter((c) => c.method === method).length;

describe('with nothing in flight', () => {
  it('the tracker backs off to the idle pace instead of polling the chain continuously', async () => {
    await eventually('the tracker goes idle', () => worker.tracker.stats.pace === 'idle');
    const polls = worker.tracker.stats.polls;
    const blockNumberCalls = callsTo(chain, 'eth_blockNumber');
    await sleep(1_000);
    // At the fast pace (TRACKER_POLL_MS, 50 ms) this second would have been ~20 polls.
    expect(worker.tracker.stats.polls).toBe(polls);
    expect(callsTo(chain, 'eth_blockNumber')).toBe(blockNumberCalls);
  });
});

describe('a transaction sent while the tracker is idle', () => {
  it('wakes it up, is confirmed, and the tracker goes back to idle once nothing is in flight', async () => {
    await createWallet(t, actor, 'idle-1');
    await fund(t, actor, 'idle-1', '5');
    await eventually('the tracker goes idle', () => worker.tracker.stats.pace === 'idle');
    const wakes = worker.tracker.stats.wakes;

    const res = await api(t, actor, 'idle-1').post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId, 30_000);
    expect(done.status).toBe('CONFIRMED');
    expect(worker.tracker.stats.wakes).toBeGreaterThan(wakes);
    await eventually('the tracker goes idle again', () => worker.tracker.stats.pace === 'idle');
  });
});

describe('a status change in another process', () => {
  it('reaches the tracker through the status channel and switches it to the fast pace', async () => {
    await eventually('the tracker goes idle', () => worker.tracker.stats.pace === 'idle');
    const { polls, wakes } = worker.tracker.stats;
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('select pg_notify($1, $2)', [STATUS_CHANNEL, 'tx_from_another_process']);
    } finally {
      await other.end();
    }
    await eventually('the tracker wakes up', () => worker.tracker.stats.wakes > wakes);
    await eventually('the tracker polls again', () => worker.tracker.stats.polls > polls);
    // Nothing is actually in flight: it finds that out and slows down again.
    await eventually('the tracker goes idle again', () => worker.tracker.stats.pace === 'idle');
  });
});

describe("a user's next operations", () => {
  it('share one fee quote and do not ask the chain again whether the account is deployed', async () => {
    await createWallet(t, actor, 'reuse-1');
    await createWallet(t, actor, 'reuse-2');
    await fund(t, actor, 'reuse-1', '5');
    await fund(t, actor, 'reuse-2', '5');
    // One operation each after deployment, so that both accounts have been seen deployed.
    for (const user of ['reuse-1', 'reuse-2']) {
      const res = await api(t, actor, user).post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });
      expect((await waitForTerminal(t, actor, res.body.transactionId, 30_000)).status).toBe('CONFIRMED');
    }
    chain.calls.length = 0;
    bundler.calls.length = 0;

    const sent = await Promise.all(
      ['reuse-1', 'reuse-2', 'reuse-1'].map((user) =>
        api(t, actor, user).post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' }),
      ),
    );
    for (const res of sent) expect((await waitForTerminal(t, actor, res.body.transactionId, 30_000)).status).toBe('CONFIRMED');

    expect(callsTo(bundler, 'eth_sendUserOperation')).toBe(3);
    expect(callsTo(bundler, 'pimlico_getUserOperationGasPrice')).toBeLessThanOrEqual(1);
    expect(callsTo(chain, 'eth_getCode')).toBe(0);
  });
});

describe('the shared fee quote', () => {
  const fees = { maxFeePerGas: 2n, maxPriorityFeePerGas: 1n };

  it('is asked for once while fresh, again after invalidate(), and a failed request is not kept', async () => {
    let requests = 0;
    let fail = false;
    const quote = createFeeQuote(
      async () => {
        requests++;
        if (fail) throw new Error('bundler unreachable');
        return fees;
      },
      { ttlMs: 60_000 },
    );
    await expect(Promise.all([quote.get(), quote.get()])).resolves.toEqual([fees, fees]);
    await quote.get();
    expect(requests).toBe(1);

    quote.invalidate();
    fail = true;
    await expect(quote.get()).rejects.toThrow('bundler unreachable');
    fail = false;
    await expect(quote.get()).resolves.toEqual(fees);
    expect(requests).toBe(3);
  });
});
