// The embedded stack, brought up by the bench itself on free loopback ports (the same parts and
// steps as tests/support/stack.ts): anvil with automine and the canonical ERC-4337 contracts, alto,
// this project's contracts (src/chain/contracts/registry.ts, ChronosPaymaster funded), and a
// throwaway Postgres cluster in a temp dir with a migrated template that every phase clones its own
// database from.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, parseEther, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { toChain } from '../src/chain/clients.js';
import { deployChronosContracts, depositToPaymaster, setTokenSigner } from '../src/chain/contracts/deploy.js';
import type { ChronosContractAddresses } from '../src/chain/contracts/registry.js';
import { createPool } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { startAnvil } from '../src/dev/anvil.js';
import { startBundler } from '../src/dev/alto.js';
import { deployCanonicalAccountContracts, ENTRY_POINT_07_ADDRESS } from '../src/dev/canonical-contracts.js';
import { createDatabase, startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { getFreePorts } from '../src/dev/free-port.js';
import { ANVIL_DEV_KEYS } from '../src/runtime/embedded-keys.js';
import type { Cleanup } from './cleanup.js';
import { findProcess, withDescendants, type CpuTargets } from './cpu.js';

export const DEPLOYER_PRIVATE_KEY: Hex = ANVIL_DEV_KEYS[0];
const BUNDLER_EXECUTOR_KEYS = ANVIL_DEV_KEYS.slice(1, 5);
const BUNDLER_UTILITY_KEY = ANVIL_DEV_KEYS[5];
const TEMPLATE_DATABASE = 'bench_template';

/**
 * A throwaway cluster: no durability (fsync, full-page writes and synchronous commit off) and room for
 * bulk loads without checkpoints in the middle. Everything else, shared_buffers included, is default.
 */
export const BENCH_POSTGRES_FLAGS = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'max_connections=300',
  '-c',
  'max_wal_size=8GB',
  '-c',
  'checkpoint_timeout=30min',
  // Statement statistics, so a phase can say where Postgres spent its time (bench/pg-statements.ts).
  '-c',
  'shared_preload_libraries=pg_stat_statements',
  '-c',
  'pg_stat_statements.track=all',
];

/** `token`, `claimVault`, …: the deployment of every contract in the registry. */
export type BenchStack = ChronosContractAddresses & {
  rpcUrl: string;
  bundlerUrl: string;
  /** ChronosPaymaster trusts it: Chronos and the direct baseline both sign their sponsorships with it. */
  paymasterSignerKey: Hex;
  chainId: number;
  pgAdminUrl: string;
  tempDir: string;
  /** Authorized on ChronosToken: signs the mints that fund users straight on-chain. */
  mintSigner: PrivateKeyAccount;
  /** A fresh database cloned from the migrated template; its URL. */
  newDatabase(name: string): Promise<string>;
  /** The stack's processes, for CPU accounting (Postgres with its backends; this process as `bench`). */
  cpuTargets: CpuTargets;
};

export async function startBenchStack(cleanup: Cleanup, { onStep }: { onStep?: (what: string) => void } = {}): Promise<BenchStack> {
  const tempDir = await mkdtemp(join(tmpdir(), 'chronos-bench-'));
  cleanup.add('temp dir', () => rm(tempDir, { recursive: true, force: true }));
  // Postgres runs as the `postgres` system user when we are root; it must be able to enter this dir.
  await chmod(tempDir, 0o755);
  const [chainPort, bundlerPort, pgPort] = await getFreePorts(3);

  const chainSide = (async () => {
    const anvil = await startAnvil({ port: chainPort });
    cleanup.add('anvil', anvil.stop);
    onStep?.('anvil');
    await deployCanonicalAccountContracts(anvil.rpcUrl, { deployerPrivateKey: DEPLOYER_PRIVATE_KEY });
    const bundler = await startBundler({
      rpcUrl: anvil.rpcUrl,
      port: bundlerPort,
      executorPrivateKeys: BUNDLER_EXECUTOR_KEYS,
      utilityPrivateKey: BUNDLER_UTILITY_KEY,
    });
    cleanup.add('alto', bundler.stop);
    onStep?.('alto');
    const pids = { anvil: anvil.process.pid!, alto: bundler.process.pid! };
    return { rpcUrl: anvil.rpcUrl, bundlerUrl: bundler.url, pids };
  })();
  const pgSide = (async () => {
    const pg = await startEmbeddedPostgres({
      dataDir: join(tempDir, 'postgres'),
      port: pgPort,
      postgresFlags: BENCH_POSTGRES_FLAGS,
      initdbFlags: ['--no-sync'],
    });
    cleanup.add('postgres', pg.stop);
    await createDatabase(pg.url, TEMPLATE_DATABASE);
    const pool = createPool({ connectionString: withDatabase(pg.url, TEMPLATE_DATABASE), max: 1 });
    try {
      await migrate(pool);
      await pool.query('create extension if not exists pg_stat_statements');
    } finally {
      await pool.end();
    }
    onStep?.('postgres');
    return pg;
  })();
  // Both sides run to the end before a failure is reported, so nothing is left half-started.
  const [chain, pg] = await Promise.allSettled([chainSide, pgSide]).then((results) => {
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [Awaited<typeof chainSide>, Awaited<typeof pgSide>];
  });

  const chainId = await createPublicClient({ transport: http(chain.rpcUrl) }).getChainId();
  const deployer = createWalletClient({
    account: privateKeyToAccount(DEPLOYER_PRIVATE_KEY),
    chain: toChain({ rpcUrl: chain.rpcUrl, chainId }),
    transport: http(chain.rpcUrl),
    pollingInterval: 50,
  });
  const paymasterSignerKey = generatePrivateKey();
  const contracts = (await deployChronosContracts(deployer, {
    owner: deployer.account.address,
    entryPoint: ENTRY_POINT_07_ADDRESS,
    paymasterSigner: privateKeyToAccount(paymasterSignerKey).address,
  })) as ChronosContractAddresses;
  await depositToPaymaster(deployer, { paymaster: contracts.paymaster, amount: parseEther('1000') });
  const mintSigner = privateKeyToAccount(generatePrivateKey());
  await setTokenSigner(deployer, { token: contracts.token, signer: mintSigner.address, authorized: true });
  onStep?.('chronos contracts');

  const dataDir = join(tempDir, 'postgres');
  const postmaster = findProcess(`-D ${dataDir} `);
  if (!postmaster) throw new Error(`no postmaster process with -D ${dataDir} found`);
  const { pids, ...urls } = chain;
  return {
    ...urls,
    chainId,
    pgAdminUrl: pg.url,
    tempDir,
    ...contracts,
    paymasterSignerKey,
    mintSigner,
    cpuTargets: {
      anvil: () => [pids.anvil],
      alto: () => [pids.alto],
      postgres: () => withDescendants(postmaster),
      bench: () => [process.pid],
    },
    async newDatabase(name) {
      await createDatabase(pg.url, name, { template: TEMPLATE_DATABASE });
      return withDatabase(pg.url, name);
    },
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
