// Real processes killed with SIGKILL at each crash point (CHRONOS_FAILPOINTS), with transfers (a
// duplicate would show as tokens moved twice) and mints: once another process runs, every transaction
// reaches its terminal status and the chain shows it executed exactly once (balances, EntryPoint nonce).
import { createPublicClient, http, parseAbiItem, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { findTransaction } from '../../src/db/transactions.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { chainState, FAST_LIVENESS, killed, lockedJobs, processPool } from './crash-support.js';

const testChain = createPublicClient({ transport: http(testStackEnv().rpcUrl) });
const userOperationEvent = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);
let bundler: RpcProxy;
let receiver: Receiver;
let t: TestApp;
let actor: Actor;
let processes: ReturnType<typeof processPool>;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  receiver = await startReceiver();
  t = await createTestApp({ env: { ...FAST_LIVENESS, BUNDLER_URL: bundler.url, WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '1000' } });
  actor = await createMintingClient(t);
  await t.ctx.db.updateTable('clients').set({ webhook_url: receiver.url() }).where('id', '=', actor.client.clientId).execute();
  processes = processPool(t);
});
afterEach(async () => {
  bundler.intercept = undefined;
  await processes.stopAll();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
  await bundler.close();
});

const FIVE = parseEther('5');
const ONE = parseEther('1');
const someone = () => privateKeyToAccount(generatePrivateKey()).address;

async function fundedUser(userId: string): Promise<Address> {
  const wallet = await createWallet(t, actor, userId);
  await fundDirectly(t, actor, { to: wallet, amountWei: FIVE });
  return wallet;
}

/** Waits until graphile-worker has no job left: every job, the killed ones included, has run to its end. */
async function queueDrained(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await t.ctx.pool.query(
      "select count(*)::int as n from graphile_worker._private_jobs where task_id = (select id from graphile_worker._private_tasks where identifier = 'submit_transaction')",
    );
    if (rows[0].n === 0) return;
    if (Date.now() > deadline) throw new Error(`submit_transaction jobs still queued after ${timeoutMs} ms: ${JSON.stringify(await lockedJobs(t))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills a worker at `failpoint` while it handles the request `accept` makes, then lets a survivor finish. */
async function crashThenRecover(failpoint: string, accept: () => Promise<string>, env: Record<string, string> = {}) {
  const doomed = processes.start('worker', { failpoints: failpoint, env });
  const transactionId = await accept();
  expect(await killed(doomed, 40_000, `worker armed at ${failpoint}`)).toBe('SIGKILL');
  const atDeath = (await findTransaction(t.ctx.db, transactionId))!;
  const survivor = processes.start('worker', { env });
  const done = await waitForTerminal(t, actor, transactionId, 40_000).catch((error) => {
    throw new Error(`${(error as Error).message}\nsurvivor output:\n${survivor.output()}`);
  });
  await queueDrained();
  return { atDeath, done };
}

/** The webhook events the receiver got for the transaction, once it got any (within 20 s). */
async function webhooksFor(transactionId: string): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = receiver.received
      .map((r) => JSON.parse(r.body))
      .filter((b) => b.data?.transactionId === transactionId)
      .map((b) => b.event as string);
    if (events.length || Date.now() > deadline) return events;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const transfer = (userId: string, to: Address) => async () => {
  const res = await api(t, actor, userId).post('/api/v1/wallet/transfer', { to, amount: '1' });
  expect(res.status).toBe(202);
  return res.body.transactionId as string;
};

describe.each([
  ['after-userop-stored', 'SUBMITTING'],
  ['after-userop-sent', 'SUBMITTING'],
  ['after-submitted', 'SUBMITTED'],
  ['before-settlement-commit', 'SUBMITTED'],
  ['after-terminal-status', 'CONFIRMED'],
])('a worker killed %s, during a transfer', (failpoint, statusAtDeath) => {
  it('is followed by one that ends it CONFIRMED, the tokens moved exactly once', async () => {
    const userId = `transfer-${failpoint}`;
    const wallet = await fundedUser(userId);
    const to = someone();
    const { atDeath, done } = await crashThenRecover(failpoint, transfer(userId, to));
    expect(atDeath.status).toBe(statusAtDeath);
    expect(done.status).toBe('CONFIRMED');
    // What was stored before the crash is what got included: nothing was rebuilt.
    expect(done.userOpHash).toBe(atDeath.user_op_hash);
    expect(await chainState(t, actor.client.tokenAddress, wallet, [to])).toEqual({ balances: [FIVE - ONE, ONE], accountNonce: 1n });
    const events = await t.ctx.db.selectFrom('webhook_events').select('event_type').where('transaction_id', '=', done.transactionId).execute();
    expect(events.map((e) => e.event_type)).toEqual(['transaction.confirmed']);
    if (failpoint === 'after-terminal-status') {
      // The webhook recorded with the status is still delivered, by the survivor.
      expect(await webhooksFor(done.transactionId)).toContain('transaction.confirmed');
    }
  });
});

describe.each([
  ['before-inclusion-record-commit', false, 'SUBMITTED'],
  ['before-settlement-commit', true, 'SUBMITTED'],
  ['after-terminal-status', true, 'CONFIRMED'],
])('with CONFIRMATIONS=1, a worker killed %s, during a transfer', (failpoint, recorded, statusAtDeath) => {
  it('is followed by one that ends it CONFIRMED at its depth, the tokens moved exactly once', async () => {
    const userId = `depth-${failpoint}`;
    const wallet = await fundedUser(userId);
    const to = someone();
    // Automine makes a block only per transaction: a recorded inclusion gets its confirmation from
    // these. Only once recorded, so that the tracker always first sees it not deep enough.
    let transactionId: string | undefined;
    const miner = setInterval(async () => {
      if (transactionId && (await findTransaction(t.ctx.db, transactionId))?.block_hash)
        await testChain.request({ method: 'anvil_mine' as never, params: ['0x1'] as never });
    }, 300);
    const accept = async () => (transactionId = await transfer(userId, to)());
    const { atDeath, done } = await crashThenRecover(failpoint, accept, { CONFIRMATIONS: '1' }).finally(() => clearInterval(miner));
    expect(atDeath.status).toBe(statusAtDeath);
    expect(atDeath.block_hash !== null).toBe(recorded);
    expect(done).toMatchObject({ status: 'CONFIRMED', userOpHash: atDeath.user_op_hash, includedBlock: { number: expect.any(Number) } });
    expect(done.history.filter((h: { reason: string }) => /^included in block \d+ .*after 1 confirmation$/.test(h.reason))).toHaveLength(1);
    expect(await chainState(t, actor.client.tokenAddress, wallet, [to])).toEqual({ balances: [FIVE - ONE, ONE], accountNonce: 1n });
    const events = await t.ctx.db.selectFrom('webhook_events').select('event_type').where('transaction_id', '=', done.transactionId).execute();
    expect(events.map((e) => e.event_type)).toEqual(['transaction.confirmed']);
  });
});

describe.each(['after-submitted', 'before-settlement-commit', 'after-terminal-status'])('a worker killed %s, during a mint', (failpoint) => {
  it('is followed by one that ends it CONFIRMED, minted exactly once', async () => {
    const userId = `mint-${failpoint}`;
    const wallet = await createWallet(t, actor, userId);
    const { done } = await crashThenRecover(failpoint, async () => {
      const res = await requestMint(t, actor, userId, { receiptId: `receipt-${failpoint}`, amountWei: 7n });
      expect(res.status).toBe(202);
      return res.body.transactionId;
    });
    expect(done.status).toBe('CONFIRMED');
    expect(await chainState(t, actor.client.tokenAddress, wallet)).toEqual({ balances: [7n], accountNonce: 1n });
  });
});

describe('a worker killed after sending the mint that deploys the account, the chain including it before any worker runs again', () => {
  it('is ended CONFIRMED by the next worker, whose re-send the bundler refuses because the account exists now', async () => {
    const userId = 'mint-included-while-down';
    const wallet = await createWallet(t, actor, userId);
    const doomed = processes.start('worker', { failpoints: 'after-userop-sent' });
    const res = await requestMint(t, actor, userId, { receiptId: 'receipt-included-while-down', amountWei: 7n });
    expect(res.status).toBe(202);
    const id: string = res.body.transactionId;
    expect(await killed(doomed, 40_000, 'worker armed at after-userop-sent')).toBe('SIGKILL');
    // The bundler includes what it was sent while no worker runs: the re-send then simulates against a
    // deployed account and is refused (AA10), which must not end an executed mint FAILED.
    const deadline = Date.now() + 30_000;
    while ((await chainState(t, actor.client.tokenAddress, wallet)).accountNonce < 1n) {
      if (Date.now() > deadline) throw new Error('the bundler did not include the mint within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await findTransaction(t.ctx.db, id))!.status).toBe('SUBMITTING');
    // The survivor's tracker reads logs only once its job has dealt with the refusal, so that the job,
    // not the tracker, decides first (the order the flake it guards against needed).
    const chain = await startRpcProxy(testStackEnv().rpcUrl);
    chain.intercept = async (call) => {
      if (call.method !== 'eth_getLogs') return undefined;
      const until = Date.now() + 8_000;
      while (Date.now() < until && (await findTransaction(t.ctx.db, id))!.status === 'SUBMITTING') await new Promise((r) => setTimeout(r, 50));
      return undefined;
    };
    try {
      const survivor = processes.start('worker', { env: { RPC_URL: chain.url } });
      const done = await waitForTerminal(t, actor, id, 40_000).catch((error) => {
        throw new Error(`${(error as Error).message}\nsurvivor output:\n${survivor.output()}`);
      });
      expect(done.status).toBe('CONFIRMED');
      await queueDrained();
    } finally {
      await processes.stopAll();
      await chain.close();
    }
    expect(await chainState(t, actor.client.tokenAddress, wallet)).toEqual({ balances: [7n], accountNonce: 1n });
  });
});

describe.each(['after-replacement-stored', 'after-replacement-sent'])('a worker killed %s', (failpoint) => {
  it('is followed by one that ends the transfer EXPIRED, the original never executing', async () => {
    // The bundler swallows every send of the original: only the no-op replacement reaches alto.
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation') return undefined;
      const op = (call.params as [{ callData: string }])[0];
      return op.callData === '0x' ? undefined : { result: `0x${'00'.repeat(32)}` };
    };
    const userId = `replace-${failpoint}`;
    const wallet = await fundedUser(userId);
    const to = someone();
    const { atDeath, done } = await crashThenRecover(failpoint, transfer(userId, to), { INCLUSION_TIMEOUT_SECONDS: '3', STALLED_AFTER_SECONDS: '600' });
    expect(atDeath).toMatchObject({ status: 'SUBMITTED' });
    expect(atDeath.replacement_user_op_hash).toMatch(/^0x/);
    expect(done).toMatchObject({ status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT' } });
    // One operation used the nonce (the replacement, stored before the crash); the tokens never moved.
    expect((await findTransaction(t.ctx.db, done.transactionId))!.replacement_user_op_hash).toBe(atDeath.replacement_user_op_hash);
    expect(await chainState(t, actor.client.tokenAddress, wallet, [to])).toEqual({ balances: [FIVE, 0n], accountNonce: 1n });
    const events = await t.ctx.db.selectFrom('webhook_events').select('event_type').where('transaction_id', '=', done.transactionId).execute();
    expect(events.map((e) => e.event_type)).toEqual(['transaction.expired']);
  });
});

describe('a worker killed with 10 operations of one account in flight at once', () => {
  it('is followed by one that confirms each exactly once, on their own nonce keys', async () => {
    const userId = 'parallel-crash';
    const wallet = await createWallet(t, actor, userId);
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('20') });
    const doomed = processes.start('worker');
    // Deployed first: an account's operations only run in parallel once it exists.
    const first = await transfer(userId, someone())();
    expect((await waitForTerminal(t, actor, first, 40_000)).status).toBe('CONFIRMED');
    const chainRequest = (method: string, params: unknown[] = []) => testChain.request({ method: method as never, params: params as never });
    // Nothing is mined while they are in flight: the bundler holds them (and its bundles wait in the node).
    await chainRequest('evm_setAutomine', [false]);
    const recipients = Array.from({ length: 10 }, someone);
    try {
      const ids = await Promise.all(recipients.map((to) => transfer(userId, to)()));
      const deadline = Date.now() + 40_000;
      for (;;) {
        const rows = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', ids).execute();
        if (rows.every((r) => r.status === 'SUBMITTED')) break;
        if (Date.now() > deadline) throw new Error(`not all SUBMITTED: ${JSON.stringify(rows)}\n${doomed.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const inFlight = await t.ctx.db.selectFrom('transactions').select('nonce_key').where('id', 'in', ids).execute();
      expect(new Set(inFlight.map((r) => r.nonce_key)).size).toBe(10);
      doomed.child.kill('SIGKILL');
      expect(await killed(doomed, 10_000, 'the worker')).toBe('SIGKILL');

      processes.start('worker');
      await chainRequest('evm_setAutomine', [true]);
      await chainRequest('evm_mine');
      const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id, 60_000)));
      expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
      await queueDrained();
      // Each moved its token once; the account ran 11 operations in all, each included once.
      expect(await chainState(t, actor.client.tokenAddress, wallet, recipients)).toMatchObject({ balances: [parseEther('9'), ...recipients.map(() => ONE)] });
      const events = await t.ctx.publicClient.getLogs({
        address: t.config.contracts.entryPoint,
        event: userOperationEvent,
        args: { sender: wallet },
        fromBlock: 0n,
      });
      expect(events).toHaveLength(11);
      expect(new Set(events.map((e) => e.args.userOpHash)).size).toBe(11);
      for (const d of done) expect(events.filter((e) => e.args.userOpHash === d.userOpHash)).toHaveLength(1);
    } finally {
      await chainRequest('evm_setAutomine', [true]);
    }
  });
});

describe('an API process killed between committing the accepted transfer and answering 202', () => {
  it("answers the client's retry (same idempotency key) with the same transaction, which executes once", async () => {
    const userId = 'api-crash';
    const wallet = await fundedUser(userId);
    const to = someone();
    const [port] = await getFreePorts(1);
    const doomed = processes.start('api', { failpoints: 'after-accept-commit', env: { PORT: String(port), HOST: '127.0.0.1' } });
    const headers = { authorization: `Bearer ${actor.token}`, 'x-user-id': userId, 'x-idempotency-key': 'api-crash-1', 'content-type': 'application/json' };
    const body = JSON.stringify({ to, amount: '1' });
    const firstTry = await (async () => {
      for (let i = 0; ; i++) {
        try {
          return { answered: (await fetch(`http://127.0.0.1:${port}/api/v1/wallet/transfer`, { method: 'POST', headers, body })).status };
        } catch (error) {
          // Still starting (connection refused), or killed mid-request (the connection dropped).
          if (doomed.child.exitCode !== null || doomed.child.signalCode !== null || i > 300) return { failed: String(error) };
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    // The client never got an answer: from its side the request may or may not have been accepted.
    expect(firstTry).toEqual({ failed: expect.any(String) });
    expect(await killed(doomed, 5_000, 'the API')).toBe('SIGKILL');
    const accepted = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', userId).where('type', '=', 'transfer').execute();
    expect(accepted).toHaveLength(1);

    const retry = await api(t, actor, userId).post('/api/v1/wallet/transfer', { to, amount: '1' }, { 'X-Idempotency-Key': 'api-crash-1' });
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.transactionId).toBe(accepted[0].id);

    processes.start('worker');
    expect((await waitForTerminal(t, actor, accepted[0].id, 40_000)).status).toBe('CONFIRMED');
    await queueDrained();
    expect(await chainState(t, actor.client.tokenAddress, wallet, [to])).toEqual({ balances: [FIVE - ONE, ONE], accountNonce: 1n });
  });
});
