// The embedded default (README, "Quick start"): Postgres, anvil, the canonical ERC-4337 contracts,
// this project's own (src/chain/contracts/registry.ts: ChronosToken, ClaimVault, ChronosPaymaster,
// funded on first start) and alto, all on loopback, state kept under `.chronos/`. Each part runs in a process group
// of its own, so a terminal's Ctrl-C reaches Chronos alone, which drains first and stops them last.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, parseEther, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Logger } from '../observability/logger.js';
import { startEmbeddedPostgres, createDatabase, databaseExists } from '../dev/embedded-postgres.js';
import { startAnvil } from '../dev/anvil.js';
import { deployCanonicalAccountContracts } from '../dev/canonical-contracts.js';
import { startBundler } from '../dev/alto.js';
import { toChain } from '../chain/clients.js';
import { deployChronosContract, depositToPaymaster } from '../chain/contracts/deploy.js';
import { CHRONOS_CONTRACTS, contractEnvironment, type ChronosContractAddresses } from '../chain/contracts/registry.js';
import { CANONICAL_ENTRY_POINT_07, CANONICAL_SIMPLE_ACCOUNT_FACTORY_07 } from '../config/schema.js';
import { EMBEDDED_BUNDLER_EXECUTOR_KEYS, EMBEDDED_BUNDLER_UTILITY_KEY, EMBEDDED_DEPLOYER_PRIVATE_KEY } from './embedded-keys.js';
import { readDevFile, writeDevFile, type DevFile } from './home.js';
import { loadOrCreateSecrets } from './secrets-file.js';
import { ensureDemoClient } from './demo-client.js';
import { acquireInstanceLock } from './instance-lock.js';
import { assertPortsFree } from '../dev/port-in-use.js';
import type { EmbeddedPorts } from '../config/schema.js';

export const EMBEDDED_DATABASE = 'chronos';
const CHAIN_ID = 31337;

export type EmbeddedStack = {
  /** Configuration variables for the parts that were started. */
  env: Record<string, string>;
  writeDevFile(params: { apiUrl: string }): Promise<DevFile>;
  stop(): Promise<void>;
};

export type StartEmbeddedStackParameters = {
  home: string;
  logger: Logger;
  ports: EmbeddedPorts;
  /** The API's own address, checked with the others before anything starts. */
  api: { port: number; host: string };
  /** Aborted by a signal during start-up: stop what has started, start nothing more. */
  signal?: AbortSignal;
};

export async function startEmbeddedStack({ home, logger, ports, api, signal }: StartEmbeddedStackParameters): Promise<EmbeddedStack> {
  await mkdir(home, { recursive: true });
  const lock = await acquireInstanceLock(home);
  const started: { stop(): Promise<void> }[] = [];
  // In reverse order of start (alto, anvil, Postgres); the lock goes last, once all are gone.
  const stop = async () => {
    for (const part of started.reverse()) await part.stop().catch(() => {});
    await lock.release();
  };
  try {
    const t0 = Date.now();
    await assertPortsFree([
      { port: api.port, host: api.host, variable: 'PORT' },
      { port: ports.postgres, host: '127.0.0.1', variable: 'EMBEDDED_POSTGRES_PORT' },
      { port: ports.chain, host: '127.0.0.1', variable: 'EMBEDDED_CHAIN_PORT' },
      { port: ports.bundler, host: '127.0.0.1', variable: 'EMBEDDED_BUNDLER_PORT' },
    ]);
    const previous = await readDevFile(home);
    const secrets = await loadOrCreateSecrets(home);

    signal?.throwIfAborted();
    const pg = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), port: ports.postgres, detached: true });
    started.push(pg);
    await lock.addChild({ name: 'postgres', pid: pg.pid, signal: 'SIGINT' });
    if (!(await databaseExists(pg.url, EMBEDDED_DATABASE))) await createDatabase(pg.url, EMBEDDED_DATABASE);
    const databaseUrl = withDatabase(pg.url, EMBEDDED_DATABASE);

    signal?.throwIfAborted();
    const anvil = await startAnvil({ port: ports.chain, statePath: join(home, 'anvil-state.json'), detached: true });
    started.push(anvil);
    await lock.addChild({ name: 'anvil', pid: anvil.process.pid!, signal: 'SIGTERM' });
    await deployCanonicalAccountContracts(anvil.rpcUrl, { deployerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY });
    const paymasterSigner = privateKeyToAccount(secrets.paymasterSignerKey).address;
    const contracts = await ensureChronosContracts(anvil.rpcUrl, previous, { paymasterSigner });

    // alto is a Node process that exits when our IPC channel closes: nothing to record.
    signal?.throwIfAborted();
    const bundler = await startBundler({
      rpcUrl: anvil.rpcUrl,
      port: ports.bundler,
      detached: true,
      executorPrivateKeys: [...EMBEDDED_BUNDLER_EXECUTOR_KEYS],
      utilityPrivateKey: EMBEDDED_BUNDLER_UTILITY_KEY,
    });
    started.push(bundler);

    signal?.throwIfAborted();
    const {
      demoClient,
      token: demoToken,
      certificate: demoCertificate,
    } = await ensureDemoClient({
      databaseUrl,
      previous: previous?.demoClient,
      rpcUrl: anvil.rpcUrl,
      chainId: CHAIN_ID,
      token: contracts.token,
      masterKey: secrets.masterKey,
    });
    logger.info({ ms: Date.now() - t0 }, 'embedded stack is up');

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      RPC_URL: anvil.rpcUrl,
      BUNDLER_URL: bundler.url,
      PAYMASTER_SIGNER_KEY: secrets.paymasterSignerKey,
      CHAIN_ID: String(CHAIN_ID),
      ...contractEnvironment(contracts),
      ENTRY_POINT_ADDRESS: CANONICAL_ENTRY_POINT_07,
      ACCOUNT_FACTORY_ADDRESS: CANONICAL_SIMPLE_ACCOUNT_FACTORY_07,
      JWT_SECRET: secrets.jwtSecret,
      MASTER_KEY: secrets.masterKey,
      // Loopback receivers are the point of a local setup.
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    };
    return {
      env,
      async writeDevFile({ apiUrl }) {
        const dev: DevFile = {
          apiUrl,
          rpcUrl: anvil.rpcUrl,
          bundlerUrl: bundler.url,
          // Chronos sponsors in-process with its own paymaster (dev.json's `paymaster`): no paymaster service.
          paymasterUrl: null,
          chainId: CHAIN_ID,
          entryPoint: CANONICAL_ENTRY_POINT_07,
          accountFactory: CANONICAL_SIMPLE_ACCOUNT_FACTORY_07,
          ...devFileContracts(contracts, { demoToken, demoCertificate }),
          databaseUrl,
          demoClient,
        };
        await writeDevFile(home, dev);
        return dev;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * The contract addresses dev.json records: every registry entry's, under its key, with the token being
 * the demo client's own (the token a newcomer's mints run on), which the next start reuses as the
 * shared TOKEN_ADDRESS while the chain still has it.
 */
export function devFileContracts(
  contracts: ChronosContractAddresses,
  { demoToken, demoCertificate }: { demoToken: ChronosContractAddresses['token']; demoCertificate: ChronosContractAddresses['certificate'] },
): ChronosContractAddresses {
  return { ...contracts, token: demoToken, certificate: demoCertificate };
}

/** What a paymaster deployed by the embedded default starts with: plenty for local use (anvil's key holds 10,000 ETH). */
export const EMBEDDED_PAYMASTER_DEPOSIT = parseEther('100');

/**
 * Reuses the contracts recorded in dev.json while the chain still has them; deploys what is missing,
 * in registry order, and funds a newly deployed paymaster.
 */
async function ensureChronosContracts(
  rpcUrl: string,
  previous: DevFile | undefined,
  { paymasterSigner }: { paymasterSigner: Address },
): Promise<ChronosContractAddresses> {
  const chain = toChain({ rpcUrl, chainId: CHAIN_ID });
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  const account = privateKeyToAccount(EMBEDDED_DEPLOYER_PRIVATE_KEY);
  const context = { owner: account.address, entryPoint: CANONICAL_ENTRY_POINT_07, paymasterSigner };
  const current = await Promise.all(
    CHRONOS_CONTRACTS.map((c) => {
      const address = previous?.[c.key];
      return address ? c.isCurrent(publicClient, address, context) : false;
    }),
  );
  const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const addresses: Partial<ChronosContractAddresses> = {};
  for (const [i, c] of CHRONOS_CONTRACTS.entries()) {
    addresses[c.key] = current[i] ? previous![c.key] : await deployChronosContract(walletClient, c, context);
  }
  if (!current[CHRONOS_CONTRACTS.findIndex((c) => c.key === 'paymaster')]) {
    await depositToPaymaster(walletClient, { paymaster: addresses.paymaster!, amount: EMBEDDED_PAYMASTER_DEPOSIT });
  }
  return addresses as ChronosContractAddresses;
}
