// RPC_URL and BUNDLER_URL as lists, on the real stack: a first entry that is down (a closed port) or
// pushing back (every call answered 503 or 429) costs nothing but the round trip to it. Operations
// still end CONFIRMED, each executed once (one UserOperationEvent, the recipient's balance), /readyz
// shows each entry, a bundler's verdict is never asked again of the next bundler, and the start-up
// chain-id check reads every entry.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createPublicClient, erc20Abi, http, parseAbiItem, parseEther, shouldThrow, zeroAddress, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { entryPoint07Address } from 'viem/account-abstraction';
import { createTestApp, testEnvironment, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from '../support/stack-env.js';
import { createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, terminalStatuses } from './support.js';
import { createChainPublicClient } from '../../src/chain/clients.js';
import { createUserOpClients } from '../../src/userop/clients.js';
import { failoverTransport, isAnAnswer } from '../../src/chain/failover-transport.js';
import { parseConfig, ConfigError } from '../../src/config/load.js';
import { assertChainId } from '../../src/runtime/chain-id-check.js';
import { createLogger } from '../../src/observability/logger.js';
import { createConfiguredLogger } from '../../src/runtime/services.js';

const stack = testStackEnv();
const anvil = createPublicClient({ transport: http(stack.rpcUrl, { retryCount: 0 }) });
const proxies: RpcProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
});

/** A port nothing listens on: connections to it are refused at once. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A stand-in in front of `target` answering every call with this HTTP status (as an overloaded or rate-limiting provider does). */
async function refusingAll(target: string, status: number, headers: Record<string, string> = {}): Promise<RpcProxy> {
  const proxy = await startRpcProxy(target);
  proxy.intercept = () => ({ http: { status, headers } });
  proxies.push(proxy);
  return proxy;
}

/** A stand-in that lets everything through to `target`, counting. */
async function passing(target: string): Promise<RpcProxy> {
  const proxy = await startRpcProxy(target);
  proxies.push(proxy);
  return proxy;
}

const USER_OPERATION_EVENT = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);

/** Transfers from two users, each to be CONFIRMED, each with one UserOperationEvent on chain, and the tokens arrived once. */
async function expectExecutedOnce(t: TestApp, actor: Actor, prefix: string): Promise<void> {
  const users = [`${prefix}-a`, `${prefix}-b`];
  for (const u of users) {
    await createWallet(t, actor, u);
    await fund(t, actor, u, '5');
  }
  const to = privateKeyToAccount(generatePrivateKey()).address;
  const ids = (await Promise.all(users.map((u) => acceptTransfers(t, actor, { userId: u, to, count: 2 })))).flat();
  const done = await terminalStatuses(t, actor, ids);
  expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
  for (const d of done) expect(d.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
  const rows = await t.ctx.db.selectFrom('transactions').select('user_op_hash').where('id', 'in', ids).execute();
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
  const balance = await anvil.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] });
  expect(balance).toBe(parseEther(String(ids.length)));
}

describe('lists whose first entries refuse connections', () => {
  let t: TestApp;
  let actor: Actor;
  let rpc: RpcProxy;
  let bundler: RpcProxy;
  beforeAll(async () => {
    rpc = await passing(stack.rpcUrl);
    bundler = await passing(stack.bundlerUrl);
    t = await createTestApp({
      worker: true,
      env: { RPC_URL: `${await closedPortUrl()},${rpc.url}`, BUNDLER_URL: `${await closedPortUrl()},${bundler.url}` },
    });
    actor = await createMintingClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads and sends go to the second entries: every operation CONFIRMED and executed once', async () => {
    await expectExecutedOnce(t, actor, 'refused');
    expect(bundler.recorded.some((r) => r.call.method === 'eth_sendUserOperation')).toBe(true);
    expect(rpc.recorded.some((r) => r.call.method === 'eth_getLogs')).toBe(true);
  });

  it('/readyz is degraded, not down: each part ok through its second entry, the first shown down', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.checks).toMatchObject({ chain: 'ok', bundler: 'ok', sponsorship: 'ok' });
    expect(res.body.entries).toEqual({
      chain: [
        { entry: 1, check: expect.stringMatching(/^down: connection refused/) },
        { entry: 2, check: 'ok' },
      ],
      bundler: [
        { entry: 1, check: expect.stringMatching(/^down: connection refused/) },
        { entry: 2, check: 'ok' },
      ],
    });
    expect(res.body.warning).toMatch(/RPC_URL entry 1 of 2 down: connection refused/);
    expect(res.body.warning).toMatch(/BUNDLER_URL entry 1 of 2 down: connection refused/);
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|http:/);
  });

  it('/readyz is 503 once every entry of a list is down, naming each', async () => {
    await bundler.down();
    try {
      const res = await request(t.app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.checks.bundler).toMatch(/^down: every entry \(entry 1 connection refused.*; entry 2 connection refused/);
      expect(res.body.entries.bundler.map((e: { check: string }) => e.check)).toEqual([expect.stringMatching(/^down: /), expect.stringMatching(/^down: /)]);
    } finally {
      await bundler.up();
    }
  });
});

describe('lists whose first entries answer every call with 429 or 503', () => {
  let t: TestApp;
  let actor: Actor;
  let limitedRpc: RpcProxy;
  let overloadedBundler: RpcProxy;
  beforeAll(async () => {
    // A Retry-After of a minute: waited out, the operations would not end within the test's time.
    limitedRpc = await refusingAll(stack.rpcUrl, 429, { 'Retry-After': '60' });
    overloadedBundler = await refusingAll(stack.bundlerUrl, 503, { 'Retry-After': '60' });
    t = await createTestApp({
      worker: true,
      env: { RPC_URL: `${limitedRpc.url},${stack.rpcUrl}`, BUNDLER_URL: `${overloadedBundler.url},${stack.bundlerUrl}` },
    });
    actor = await createMintingClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('each request moves to the next entry at once: every operation CONFIRMED and executed once', async () => {
    await expectExecutedOnce(t, actor, 'pushed-back');
    expect(limitedRpc.recorded.length).toBeGreaterThan(0);
    expect(overloadedBundler.recorded.some((r) => r.call.method === 'eth_sendUserOperation')).toBe(true);
  });

  it('/readyz shows the first entries down with their HTTP status, the second ok', async () => {
    const res = await request(t.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.entries.chain).toEqual([
      { entry: 1, check: 'down: HTTP 429 to eth_blockNumber' },
      { entry: 2, check: 'ok' },
    ]);
    expect(res.body.entries.bundler).toEqual([
      { entry: 1, check: 'down: HTTP 503 to eth_supportedEntryPoints' },
      { entry: 2, check: 'ok' },
    ]);
  });
});

describe('a first bundler that takes an operation, loses it and then fails', () => {
  let t: TestApp;
  let actor: Actor;
  let first: RpcProxy;
  let second: RpcProxy;
  beforeAll(async () => {
    first = await passing(stack.bundlerUrl);
    second = await passing(stack.bundlerUrl);
    t = await createTestApp({
      worker: true,
      env: { BUNDLER_URL: `${first.url},${second.url}`, STALLED_AFTER_SECONDS: '1', INCLUSION_TIMEOUT_SECONDS: '60' },
    });
    actor = await createMintingClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the re-send after the stall goes to the second bundler: CONFIRMED, executed once', async () => {
    await createWallet(t, actor, 'lost-by-first');
    await fund(t, actor, 'lost-by-first', '5');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    // The first bundler says it took the transfer's operation, drops it, and from then on answers 503.
    let lost = false;
    first.intercept = (call) => {
      if (lost) return { http: { status: 503 } };
      const op = (call.params as [{ callData?: string }] | undefined)?.[0];
      if (call.method !== 'eth_sendUserOperation' || op?.callData === '0x') return undefined;
      lost = true;
      return { result: `0x${'00'.repeat(32)}` };
    };
    const [id] = await acceptTransfers(t, actor, { userId: 'lost-by-first', to, count: 1 });
    const [done] = await terminalStatuses(t, actor, [id]);
    expect(done.status).toBe('CONFIRMED');
    expect(lost).toBe(true);
    const row = await t.ctx.db.selectFrom('transactions').select(['user_op_hash', 'stall_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.stall_reason).toMatch(/re-sent/);
    const sentToSecond = second.recorded.filter((r) => r.call.method === 'eth_sendUserOperation' && r.status === 200);
    expect(sentToSecond.length).toBeGreaterThan(0);
    const events = await anvil.getLogs({
      address: t.config.contracts.entryPoint,
      event: USER_OPERATION_EVENT,
      args: { userOpHash: row.user_op_hash as Hex },
      fromBlock: 0n,
      toBlock: 'latest',
    });
    expect(events).toHaveLength(1);
    expect(await anvil.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(parseEther('1'));
  });
});

describe('a bundler list and a bundler that refuses an operation', () => {
  const bundlerOf = (urls: string[]) =>
    createUserOpClients(createChainPublicClient({ rpcUrls: [stack.rpcUrl], chainId: stack.chainId }), {
      bundlerUrls: urls,
      chainId: stack.chainId,
      sponsorship: { mode: 'own', paymaster: zeroAddress, signerKey: TEST_PAYMASTER_SIGNER_KEY, validSeconds: 60, minCoverSeconds: 3600 },
    }).bundler;
  const aa25 = { error: { code: -32500, message: 'UserOperation reverted during simulation with reason: AA25 invalid account nonce' } };

  it('returns its verdict as it is, without asking the next bundler (viem’s default would have)', async () => {
    const first = await passing(stack.bundlerUrl);
    const second = await passing(stack.bundlerUrl);
    first.intercept = (call) => (call.method === 'eth_sendUserOperation' ? aa25 : undefined);
    const error = await bundlerOf([first.url, second.url])
      .request({ method: 'eth_sendUserOperation', params: [{ sender: zeroAddress } as never, zeroAddress] })
      .catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/AA25/);
    expect(first.recorded.filter((r) => r.call.method === 'eth_sendUserOperation')).toHaveLength(1);
    expect(second.recorded.filter((r) => r.call.method === 'eth_sendUserOperation')).toHaveLength(0);
    expect(isAnAnswer(error as Error)).toBe(true);
    expect(shouldThrow(error as Error)).toBe(false);
  });

  it('moves past a 503 at once, asking the overloaded bundler only once', async () => {
    const overloaded = await refusingAll(stack.bundlerUrl, 503, { 'Retry-After': '60' });
    const healthy = await passing(stack.bundlerUrl);
    const entryPoints = await bundlerOf([overloaded.url, healthy.url]).getSupportedEntryPoints();
    expect(entryPoints.map((a) => a.toLowerCase())).toContain(entryPoint07Address.toLowerCase());
    expect(overloaded.recorded).toHaveLength(1);
    expect(healthy.recorded).toHaveLength(1);
  });

  it('waits a 429 out as before when every entry answers it', async () => {
    const a = await passing(stack.bundlerUrl);
    const b = await passing(stack.bundlerUrl);
    let refused = 0;
    const twice = () => (refused++ < 2 ? { http: { status: 429, headers: { 'Retry-After': '0' } } } : undefined);
    a.intercept = twice;
    b.intercept = twice;
    await bundlerOf([a.url, b.url]).getSupportedEntryPoints();
    // Round one: a and b both 429; round two: a answers.
    expect(a.recorded.map((r) => r.status)).toEqual([429, 200]);
    expect(b.recorded.map((r) => r.status)).toEqual([429]);
  });
});

describe('an entry that hangs', () => {
  it('is passed over for a while once it timed out, rather than costing every request its timeout', async () => {
    const hanging = await passing(stack.rpcUrl);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    hanging.intercept = async () => {
      await held;
      return undefined;
    };
    const healthy = await passing(stack.rpcUrl);
    const remembering = createPublicClient({ transport: failoverTransport([hanging.url, healthy.url], { timeout: 300, retryCount: 0 }) });
    const forgetting = createPublicClient({ transport: failoverTransport([hanging.url, healthy.url], { timeout: 300, retryCount: 0, skipTimedOutMs: 0 }) });
    try {
      for (let i = 0; i < 3; i++) expect(await remembering.getChainId()).toBe(stack.chainId);
      expect(hanging.recorded).toHaveLength(1);
      expect(healthy.recorded).toHaveLength(3);
      for (let i = 0; i < 3; i++) expect(await forgetting.getChainId()).toBe(stack.chainId);
      expect(hanging.recorded).toHaveLength(4);
    } finally {
      release();
    }
  });

  it('is still asked when it is the last entry left', async () => {
    const refusing = await refusingAll(stack.rpcUrl, 503);
    const slow = await passing(stack.rpcUrl);
    let calls = 0;
    // The first call hangs past the timeout, the next ones are answered.
    slow.intercept = async () => (calls++ === 0 ? new Promise((resolve) => setTimeout(() => resolve(undefined), 1_000)) : undefined);
    const client = createPublicClient({
      transport: failoverTransport([refusing.url, slow.url], { timeout: 300, retryCount: 0, backoff: { attempts: 1, baseMs: 1, capMs: 1 } }),
    });
    await expect(client.getChainId()).rejects.toThrow();
    expect(await client.getChainId()).toBe(stack.chainId);
    expect(slow.recorded).toHaveLength(2);
  });
});

describe('configuration of the lists', () => {
  const env = (overrides: Record<string, string>) => testEnvironment('postgres://unused@127.0.0.1/x', overrides);

  it('accepts one URL as before, and a comma-separated list in order', () => {
    expect(parseConfig(env({ RPC_URL: 'http://a.test:1' }), 'external').chain).toMatchObject({ rpcUrl: 'http://a.test:1', rpcUrls: ['http://a.test:1'] });
    const config = parseConfig(env({ RPC_URL: 'http://a.test:1, https://b.test/v2/key', BUNDLER_URL: 'http://c.test,http://d.test' }), 'external');
    expect(config.chain).toMatchObject({
      rpcUrl: 'http://a.test:1',
      rpcUrls: ['http://a.test:1', 'https://b.test/v2/key'],
      bundlerUrl: 'http://c.test',
      bundlerUrls: ['http://c.test', 'http://d.test'],
    });
  });

  it('refuses a bad entry naming its position and host, never its path', () => {
    const run = () => parseConfig(env({ RPC_URL: 'http://a.test,ftp://b.test/secret-key', BUNDLER_URL: 'http://c.test,' }), 'external');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/RPC_URL entry 2 of 2 \(b\.test\) must be a http or https URL/);
    expect(run).toThrow(/BUNDLER_URL entry 2 of 2 must be a http or https URL/);
    expect(run).not.toThrow(/secret-key/);
  });

  it("keeps every entry's API key out of the logs", () => {
    const config = parseConfig(
      env({
        RPC_URL: 'https://a.test/v2/first-key,https://b.test/rpc?apikey=second-key',
        BUNDLER_URL: 'http://c.test,https://d.test/third-key',
        LOG_LEVEL: 'info',
      }),
      'external',
    );
    const written: string[] = [];
    const logger = createConfiguredLogger(config, { destination: { write: (line: string) => void written.push(line) } });
    logger.error(
      { err: new Error('HTTP request failed. URL: https://b.test/rpc?apikey=second-key') },
      'asked https://a.test/v2/first-key and https://d.test/third-key',
    );
    expect(written).toHaveLength(1);
    for (const key of ['first-key', 'second-key', 'third-key']) expect(written[0]).not.toContain(key);
  });

  it('checks the chain id of every entry at start, naming the one serving another chain', async () => {
    const otherChain = await passing(stack.rpcUrl);
    otherChain.intercept = (call) => (call.method === 'eth_chainId' ? { result: '0x1' } : undefined);
    const config = parseConfig(env({ RPC_URL: `${stack.rpcUrl},${otherChain.url}` }), 'external');
    const error = await assertChainId(config, createLogger({ level: 'silent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([`CHAIN_ID is ${stack.chainId} but RPC_URL entry 2 of 2 (${new URL(otherChain.url).host}) serves chain 1`]);
    await expect(
      assertChainId(parseConfig(env({ RPC_URL: `${stack.rpcUrl},${stack.rpcUrl}` }), 'external'), createLogger({ level: 'silent' })),
    ).resolves.toBeUndefined();
  });
});
