// A chain RPC that lags the head: reads pinned to a block it has not imported yet get "header not
// found" (-32000), as geth answers and as a provider's load balancer does when it switches nodes. On
// the real stack, behind a stand-in that answers so: a single URL asks again a moment later, a list
// asks its next entry, and one that lags for good is a 503 SERVICE_UNAVAILABLE, never a 500.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy, type RpcRequest } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { expectError } from '../support/errors.js';

const stack = testStackEnv();
const HEADER_NOT_FOUND = { error: { code: -32000, message: 'header not found' } };

/** A read pinned to a block number (not 'latest'): what a lagging node cannot answer. */
const pinnedRead = (call: RpcRequest) => call.method === 'eth_call' && /^0x[0-9a-f]+$/i.test(String((call.params ?? [])[1] ?? ''));

let lagging: RpcProxy;
let second: RpcProxy;
let single: TestApp;
let list: TestApp;
let actor: Actor;
let other: Actor;

beforeAll(async () => {
  lagging = await startRpcProxy(stack.rpcUrl);
  second = await startRpcProxy(stack.rpcUrl);
  single = await createTestApp({ env: { RPC_URL: lagging.url }, worker: true });
  list = await createTestApp({ env: { RPC_URL: `${lagging.url},${second.url}` }, worker: true });
  actor = await createMintingClient(single);
  other = await createMintingClient(list);
  for (const [t, a] of [
    [single, actor],
    [list, other],
  ] as const) {
    await createWallet(t, a, 'nora');
    await fund(t, a, 'nora', '3');
  }
}, 120_000);
afterAll(async () => {
  await Promise.all([single?.close(), list?.close()]);
  await Promise.all([lagging?.close(), second?.close()]);
});

afterEach(() => {
  lagging.intercept = undefined;
});

describe('a chain RPC behind the head', () => {
  it('with one URL: the read is asked again a moment later and answered', async () => {
    let refused = 0;
    lagging.intercept = (call) => (pinnedRead(call) && refused++ === 0 ? HEADER_NOT_FOUND : undefined);
    const res = await api(single, actor, 'nora').get('/api/v1/wallet/balances');
    expect(res.status).toBe(200);
    expect(res.body.balances[0]).toMatchObject({ balance: '3', available: '3' });
    expect(refused).toBeGreaterThanOrEqual(2);
  });

  it('in a list: the next entry answers, at once', async () => {
    lagging.intercept = (call) => (pinnedRead(call) ? HEADER_NOT_FOUND : undefined);
    const before = second.calls.filter(pinnedRead).length;
    const res = await api(list, other, 'nora').get('/api/v1/wallet/balances');
    expect(res.status).toBe(200);
    expect(res.body.balances[0]).toMatchObject({ balance: '3', available: '3' });
    expect(second.calls.filter(pinnedRead).length).toBeGreaterThan(before);
  });

  it('lagging for good: 503 SERVICE_UNAVAILABLE, not an internal error', async () => {
    lagging.intercept = (call) => (pinnedRead(call) ? HEADER_NOT_FOUND : undefined);
    expectError(await api(single, actor, 'nora').get('/api/v1/wallet/balances'), 503, 'SERVICE_UNAVAILABLE');
  });
});
