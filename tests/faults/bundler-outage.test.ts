// The bundler stopped for a while, then back: accepted transactions wait and resume; none is lost,
// none executes twice, and their histories show they stayed SUBMITTING until it returned.
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, sleep, terminalStatuses } from './support.js';

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

describe('when the bundler is stopped for a while', () => {
  it('every accepted transaction resumes when it returns and executes exactly once', async () => {
    const users = ['outage-a', 'outage-b', 'outage-c'];
    for (const u of users) { await createWallet(t, actor, u); await fund(t, actor, u, '10'); }
    const to = privateKeyToAccount(generatePrivateKey()).address;
    await bundler.down();
    const ids = (await Promise.all(users.map((u) => acceptTransfers(t, actor, { userId: u, to, count: 2 })))).flat();
    await sleep(2_000);
    const during = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', ids).execute();
    expect(during.every((r) => r.status === 'ACCEPTED' || r.status === 'SUBMITTING')).toBe(true);
    await bundler.up();
    const done = await terminalStatuses(t, actor, ids);
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(parseEther(String(ids.length)));
    for (const d of done) expect(d.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
  });
});
