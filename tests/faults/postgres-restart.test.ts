// Postgres restarted for real while requests and jobs are running: a dedicated embedded cluster (its
// own postmaster, not the shared test cluster) is stopped and started again on the same port and data.
// The API answers 503 SERVICE_UNAVAILABLE meanwhile and recovers by itself; accepted transactions
// finish, exactly once. A TCP proxy in front counts the connections tried while the server was away:
// the processes kept reconnecting rather than giving up.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';
import { createDatabase, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { createPool } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { acceptTransfers, terminalStatuses, until } from './support.js';

const DATABASE = 'chronos_restart';
let dataDir: string;
let port: number;
let postgres: EmbeddedPostgres;
let proxy: TcpProxy;
let t: TestApp;
let actor: Actor;

const startCluster = () =>
  startEmbeddedPostgres({
    dataDir,
    port,
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    initdbFlags: ['--no-sync'],
  });

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-pg-restart-'));
  // Postgres runs as the `postgres` system user when we are root; it must be able to enter this dir.
  await chmod(dir, 0o755);
  dataDir = join(dir, 'data');
  [port] = await getFreePorts(1);
  postgres = await startCluster();
  await createDatabase(postgres.url, DATABASE);
  const databaseUrl = new URL(postgres.url);
  databaseUrl.pathname = `/${DATABASE}`;
  const pool = createPool({ connectionString: databaseUrl.toString(), max: 1 });
  await migrate(pool).finally(() => pool.end());
  proxy = await startTcpProxy({ targetHost: '127.0.0.1', targetPort: port });
  t = await createTestApp({
    worker: true,
    reachDatabaseVia: () => {
      const u = new URL(databaseUrl);
      u.port = String(proxy.port);
      return u;
    },
  });
  actor = await createMintingClient(t);
}, 120_000);
afterAll(async () => {
  try {
    // Bounded, so that a hang here fails this file loudly instead of keeping the whole run alive.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      t?.close(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('closing the app after the restart hung for 40 s')), 40_000);
      }),
    ]).finally(() => clearTimeout(timer));
  } finally {
    // The dedicated server is this file's own child: it must not outlive the file, whatever failed.
    await proxy?.close();
    await postgres?.stop();
    if (dataDir) await rm(join(dataDir, '..'), { recursive: true, force: true });
  }
}, 60_000);

describe('when Postgres restarts under load', () => {
  it('answers 503 while it is away, keeps reconnecting, then every accepted transaction finishes exactly once', async () => {
    await createWallet(t, actor, 'pg-user');
    await fund(t, actor, 'pg-user', '10');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const ids = await acceptTransfers(t, actor, { userId: 'pg-user', to, count: 3 });

    await postgres.stop();
    const during = await api(t, actor, 'pg-user').get(`/api/v1/transactions/${ids[0]}`);
    expectError(during, 503, 'SERVICE_UNAVAILABLE');
    expect(during.headers['retry-after']).toBe('1');
    expectError(await api(t, actor, 'pg-user').post('/api/v1/wallet/transfer', { to, amount: '1' }), 503, 'SERVICE_UNAVAILABLE');
    const unreachableBefore = proxy.unreachable;
    // Beyond the two requests above: the worker, its job queue and the tracker try again and again.
    const retried = () => proxy.unreachable - unreachableBefore;
    await until(() => retried() >= 6, { timeoutMs: 20_000, what: () => `reconnection attempts (${retried()} so far)` });
    postgres = await startCluster();

    const done = await terminalStatuses(t, actor, ids);
    expect(done.map((d) => d.status)).toEqual(['CONFIRMED', 'CONFIRMED', 'CONFIRMED']);
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
      parseEther('3'),
    );
    // And new work is accepted again.
    const after = await api(t, actor, 'pg-user').post('/api/v1/wallet/transfer', { to, amount: '1' });
    expect(after.status).toBe(202);
    expect((await terminalStatuses(t, actor, [after.body.transactionId]))[0].status).toBe('CONFIRMED');
  });
});
