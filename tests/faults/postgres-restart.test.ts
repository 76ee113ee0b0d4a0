// Postgres restarted while requests and jobs are running: the API answers 503 SERVICE_UNAVAILABLE
// meanwhile and recovers by itself; accepted transactions finish, exactly once.
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { acceptTransfers, sleep, terminalStatuses } from './support.js';

let postgres: TcpProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  const admin = new URL(testStackEnv().pgAdminUrl);
  postgres = await startTcpProxy({ targetHost: admin.hostname, targetPort: Number(admin.port) });
  t = await createTestApp({
    worker: true,
    reachDatabaseVia: (url) => { const u = new URL(url); u.port = String(postgres.port); return u; },
  });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await postgres.up();
  await t.close();
  await postgres.close();
});

describe('when Postgres restarts under load', () => {
  it('answers 503 while it is away, then every accepted transaction finishes exactly once', async () => {
    await createWallet(t, actor, 'pg-user');
    await fund(t, actor, 'pg-user', '10');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const ids = await acceptTransfers(t, actor, { userId: 'pg-user', to, count: 3 });

    await postgres.down();
    const during = await api(t, actor, 'pg-user').get(`/api/v1/transactions/${ids[0]}`);
    expectError(during, 503, 'SERVICE_UNAVAILABLE');
    expect(during.headers['retry-after']).toBe('1');
    expectError(await api(t, actor, 'pg-user').post('/api/v1/wallet/transfer', { to, amount: '1' }), 503, 'SERVICE_UNAVAILABLE');
    await sleep(3_000);
    await postgres.up();

    const done = await terminalStatuses(t, actor, ids);
    expect(done.map((d) => d.status)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(parseEther('3'));
    // And new work is accepted again.
    const after = await api(t, actor, 'pg-user').post('/api/v1/wallet/transfer', { to, amount: '1' });
    expect(after.status).toBe(202);
    expect((await terminalStatuses(t, actor, [after.body.transactionId]))[0].status).toBe('CONFIRMED');
  });
});
