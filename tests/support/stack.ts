// The shared local stack every test file runs against, brought up once per jest run: anvil (automine)
// with the canonical ERC-4337 contracts, alto, this project's contracts (ChronosPaymaster funded), an
// ERC-7677 service of our own in front of that paymaster (for PAYMASTER_URL mode), and a throwaway Postgres.
// global-setup.ts calls startTestStack() and publishes the coordinates through process.env
// (tests/support/stack-env.ts reads them). New setup steps go in startTestStack as one more step.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../../src/chain/clients.js';
import { deployChronosContracts, depositToPaymaster } from '../../src/chain/contracts/deploy.js';
import { CHRONOS_CONTRACTS } from '../../src/chain/contracts/registry.js';
import { createPool } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { TEMPLATE_DATABASE, TEST_PAYMASTER_SIGNER_KEY, testContractVariable } from './stack-env.js';
import { startErc7677PaymasterStandIn } from './erc7677-paymaster.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { startAnvil } from '../../src/dev/anvil.js';
import { startBundler } from '../../src/dev/alto.js';
import { deployCanonicalAccountContracts } from '../../src/dev/canonical-contracts.js';
import { createDatabase, startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';

/** Dev key 0 is left to tests and later setup steps for their own deployments; alto never uses it. */
export const TEST_DEPLOYER_PRIVATE_KEY: Hex = ANVIL_DEV_KEYS[0];
const BUNDLER_EXECUTOR_KEYS = ANVIL_DEV_KEYS.slice(1, 5);
const BUNDLER_UTILITY_KEY = ANVIL_DEV_KEYS[5];

// A throwaway cluster: durability buys nothing, and fsync dominates migrations and template clones.
const TEST_POSTGRES_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'];

export type TestStack = {
  rpcUrl: string;
  bundlerUrl: string;
  paymasterUrl: string;
  chainId: number;
  /** Admin URL of the `postgres` database of the test cluster. */
  pgAdminUrl: string;
  /** Holds the Postgres cluster; removed by stop(). */
  tempDir: string;
  /** The CHRONOS_TEST_* variables the test files read. */
  env: Record<string, string>;
  /** Wall-clock time of each step, for the bring-up report. */
  timings: Record<string, number>;
  stop(): Promise<void>;
};

type Stoppable = { stop(): Promise<void> };

export async function startTestStack(): Promise<TestStack> {
  const tempDir = await mkdtemp(join(tmpdir(), 'chronos-test-'));
  // Postgres runs as the `postgres` system user when we are root; it must be able to enter this dir.
  await chmod(tempDir, 0o755);
  const started: Stoppable[] = [];
  const timings: Record<string, number> = {};
  const step = async <T extends object>(name: string, run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await run();
    timings[name] = performance.now() - t0;
    if ('stop' in result && typeof result.stop === 'function') started.push(result as unknown as Stoppable);
    return result;
  };
  const stopAll = async () => {
    // All at once: nothing here needs the others to shut down cleanly, and it halves teardown time.
    await Promise.all(started.splice(0).map((part) => part.stop().catch(() => {})));
    await rm(tempDir, { recursive: true, force: true });
  };

  try {
    const [chainPort, bundlerPort, pgPort] = await getFreePorts(3);

    // Postgres does not depend on the chain side: bring both up at once.
    const [chain, postgres] = await settleAll([
      (async () => {
        const anvil = await step('anvil', () => startAnvil({ port: chainPort }));
        await step('canonical contracts', () => deployCanonicalAccountContracts(anvil.rpcUrl, { deployerPrivateKey: TEST_DEPLOYER_PRIVATE_KEY }));
        const bundler = await step('alto', () =>
          startBundler({
            rpcUrl: anvil.rpcUrl,
            port: bundlerPort,
            executorPrivateKeys: BUNDLER_EXECUTOR_KEYS,
            utilityPrivateKey: BUNDLER_UTILITY_KEY,
          }),
        );
        const chainId = await createPublicClient({ transport: http(anvil.rpcUrl) }).getChainId();
        return { rpcUrl: anvil.rpcUrl, bundlerUrl: bundler.url, chainId };
      })(),
      step('postgres', () =>
        startEmbeddedPostgres({
          dataDir: join(tempDir, 'postgres'),
          port: pgPort,
          postgresFlags: TEST_POSTGRES_FLAGS,
          initdbFlags: ['--no-sync'],
        }),
      ),
    ] as const);

    // The project's own contracts, and a migrated template every test file clones its database from.
    const contracts = await step('chronos contracts', () => deployTestContracts(chain.rpcUrl, chain.chainId));
    const hosted = await step('erc-7677 stand-in', () =>
      startErc7677PaymasterStandIn({ paymaster: contracts.paymaster!, signerKey: TEST_PAYMASTER_SIGNER_KEY, chainId: chain.chainId }),
    );
    await step('template database', () => buildTemplateDatabase(postgres.url));

    const env: Record<string, string> = {
      ...Object.fromEntries(CHRONOS_CONTRACTS.map((c) => [testContractVariable(c.variable), contracts[c.key]])),
      CHRONOS_TEST_RPC_URL: chain.rpcUrl,
      CHRONOS_TEST_BUNDLER_URL: chain.bundlerUrl,
      CHRONOS_TEST_PAYMASTER_URL: hosted.url,
      CHRONOS_TEST_CHAIN_ID: String(chain.chainId),
      CHRONOS_TEST_PG_URL: postgres.url,
    };
    return { ...chain, paymasterUrl: hosted.url, pgAdminUrl: postgres.url, tempDir, env, timings, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** What the shared paymaster starts with: more than every test file together sponsors. */
export const TEST_PAYMASTER_DEPOSIT = parseEther('1000');

async function deployTestContracts(rpcUrl: string, chainId: number) {
  const account = privateKeyToAccount(TEST_DEPLOYER_PRIVATE_KEY);
  const walletClient = createWalletClient({ account, chain: toChain({ rpcUrl, chainId }), transport: http(rpcUrl), pollingInterval: 50 });
  const contracts = await deployChronosContracts(walletClient, {
    owner: account.address,
    entryPoint: ENTRY_POINT_07_ADDRESS,
    paymasterSigner: privateKeyToAccount(TEST_PAYMASTER_SIGNER_KEY).address,
  });
  await depositToPaymaster(walletClient, { paymaster: contracts.paymaster!, amount: TEST_PAYMASTER_DEPOSIT });
  return contracts;
}

async function buildTemplateDatabase(adminUrl: string): Promise<{ name: string }> {
  await createDatabase(adminUrl, TEMPLATE_DATABASE);
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const pool = createPool({ connectionString: url.toString(), max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  return { name: TEMPLATE_DATABASE };
}

/** Like Promise.all, but waits for every branch to finish before rejecting, so nothing is left starting. */
async function settleAll<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Where global-setup leaves the stack for global-teardown (same process, same globalThis). */
export const TEST_STACK_HANDLE = Symbol.for('chronos.testStack');
