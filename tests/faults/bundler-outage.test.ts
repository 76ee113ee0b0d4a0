// The bundler stopped for a while, then back: accepted transactions wait and resume; none is lost,
// none executes twice, and their histories show they stayed SUBMITTING until it returned. The
// stand-in counts what reached it meanwhile: every waiting transaction kept retrying, not giving up.
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, terminalStatuses, until } from './support.js';

let bundler: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url } });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await t.close();
  await bundler.close();
});

describe('when the bundler fails every request for a while', () => {
  it('every accepted transaction keeps retrying, resumes when it returns, and executes exactly once', async () => {
    const users = ['outage-a', 'outage-b', 'outage-c'];
    for (const u of users) {
      await createWallet(t, actor, u);
      await fund(t, actor, u, '10');
    }
    const to = privateKeyToAccount(generatePrivateKey()).address;
    bundler.failing = true;
    const ids = (await Promise.all(users.map((u) => acceptTransfers(t, actor, { userId: u, to, count: 2 })))).flat();
    // The jobs keep asking (the fee quote first: one shared request for all of them), again and again,
    // through the outage rather than giving up after a first failure: three more tries after the first,
    // well within the capped backoff.
    await until(() => bundler.failedCalls.length >= 1, { timeoutMs: 15_000, what: () => 'a first request to the bundler' });
    const first = bundler.failedCalls.length;
    await until(() => bundler.failedCalls.length >= first + 3, {
      timeoutMs: 20_000,
      what: () => `three retries (${bundler.failedCalls.length - first} so far)`,
    });
    const during = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', ids).execute();
    expect(during.every((r) => r.status === 'ACCEPTED' || r.status === 'SUBMITTING')).toBe(true);
    bundler.failing = false;
    const done = await terminalStatuses(t, actor, ids);
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
      parseEther(String(ids.length)),
    );
    for (const d of done) expect(d.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
  });
});
