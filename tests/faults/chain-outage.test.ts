// The chain RPC erroring or timing out: the API answers 503 where it needs the chain, accepted
// transactions wait and resume, and the tracker catches up on the blocks it missed.
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, terminalStatuses, until } from './support.js';

let rpc: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  rpc = await startRpcProxy(testStackEnv().rpcUrl);
  t = await createTestApp({ worker: true, env: { RPC_URL: rpc.url } });
  actor = await createMintingClient(t);
});
afterEach(() => {
  rpc.intercept = undefined;
  rpc.failing = false;
});
afterAll(async () => {
  await t.close();
  await rpc.close();
});

describe('when the chain RPC fails', () => {
  it('answers 503 SERVICE_UNAVAILABLE for what needs the chain, and recovers by itself', async () => {
    await createWallet(t, actor, 'rpc-user');
    rpc.intercept = () => ({ error: { code: -32603, message: 'node is syncing' } });
    await rpc.down();
    expectError(await api(t, actor, 'rpc-user').get('/api/v1/wallet/balance'), 503, 'SERVICE_UNAVAILABLE');
    await rpc.up();
    rpc.failing = true;
    const failedBefore = rpc.failedCalls.length;
    expectError(await api(t, actor, 'rpc-user').get('/api/v1/wallet/balance'), 503, 'SERVICE_UNAVAILABLE');
    expect(rpc.failedCalls.length).toBeGreaterThan(failedBefore);
    rpc.failing = false;
    rpc.intercept = undefined;
    expect((await api(t, actor, 'rpc-user').get('/api/v1/wallet/balance')).body).toEqual({ balance: '0' });
  });

  it('transactions sent while the tracker cannot read the chain are confirmed once it can, exactly once', async () => {
    await createWallet(t, actor, 'rpc-sender');
    await fund(t, actor, 'rpc-sender', '10');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    // Blind the inclusion tracker (block number and logs time out); the bundler still includes.
    rpc.intercept = (call) =>
      call.method === 'eth_getLogs' || call.method === 'eth_blockNumber' ? { error: { code: -32603, message: 'upstream timeout' } } : undefined;
    const ids = await acceptTransfers(t, actor, { userId: 'rpc-sender', to, count: 2 });
    const blindFrom = rpc.calls.length;
    // The tracker keeps polling through the errors (every 500 ms after a failure), not giving up.
    const refusedPolls = () => rpc.calls.slice(blindFrom).filter((c) => c.method === 'eth_blockNumber' || c.method === 'eth_getLogs').length;
    await until(() => refusedPolls() >= 4, { timeoutMs: 20_000, what: () => `four tracker polls (${refusedPolls()} so far)` });
    const during = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', ids).execute();
    expect(during.every((r) => r.status !== 'CONFIRMED')).toBe(true);
    rpc.intercept = undefined;
    const done = await terminalStatuses(t, actor, ids);
    expect(done.map((d) => d.status)).toEqual(['CONFIRMED', 'CONFIRMED']);
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
      parseEther('2'),
    );
  });
});
