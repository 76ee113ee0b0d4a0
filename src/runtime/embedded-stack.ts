// The embedded default (SPEC §1): Postgres, anvil, the canonical ERC-4337 contracts, ChronosToken and
// ClaimVault, alto and an ERC-7677 paymaster, all on loopback, state kept under `.chronos/`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPublicClient, createWalletClient, http, zeroAddress, zeroHash, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Logger } from '../observability/logger.js';
import { startEmbeddedPostgres, createDatabase, databaseExists } from '../dev/embedded-postgres.js';
import { startAnvil } from '../dev/anvil.js';
import { deployCanonicalAccountContracts } from '../dev/canonical-contracts.js';
import { startBundler } from '../dev/alto.js';
import { startPaymaster } from '../dev/paymaster.js';
import { toChain } from '../chain/clients.js';
import { deployChronosToken, deployClaimVault } from '../chain/contracts/deploy.js';
import { claimVaultAbi } from '../chain/contracts/abi.js';
import { CANONICAL_ENTRY_POINT_07, CANONICAL_SIMPLE_ACCOUNT_FACTORY_07 } from '../config/schema.js';
import { EMBEDDED_BUNDLER_EXECUTOR_KEYS, EMBEDDED_BUNDLER_UTILITY_KEY, EMBEDDED_DEPLOYER_PRIVATE_KEY } from './embedded-keys.js';
import { devFilePath, readDevFile, type DevFile } from './home.js';
import { loadOrCreateSecrets } from './secrets-file.js';
import { ensureDemoClient } from './demo-client.js';

/** Fixed loopback ports so dev.json, the banner and the README stay true across restarts. */
export const EMBEDDED_PORTS = { postgres: 54329, chain: 8545, bundler: 4337, paymaster: 4338 } as const;
export const EMBEDDED_DATABASE = 'chronos';
const CHAIN_ID = 31337;

export type EmbeddedStack = {
  /** Configuration variables for the parts that were started. */
  env: Record<string, string>;
  writeDevFile(params: { apiUrl: string }): Promise<DevFile>;
  stop(): Promise<void>;
};

export async function startEmbeddedStack({ home, logger }: { home: string; logger: Logger }): Promise<EmbeddedStack> {
  await mkdir(home, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stop = async () => { for (const part of started.reverse()) await part.stop().catch(() => {}); };
  try {
    const t0 = Date.now();
    const previous = await readDevFile(home);
    const secrets = await loadOrCreateSecrets(home);

    const pg = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), port: EMBEDDED_PORTS.postgres });
    started.push(pg);
    if (!(await databaseExists(pg.url, EMBEDDED_DATABASE))) await createDatabase(pg.url, EMBEDDED_DATABASE);
    const databaseUrl = withDatabase(pg.url, EMBEDDED_DATABASE);

    const anvil = await startAnvil({ port: EMBEDDED_PORTS.chain, statePath: join(home, 'anvil-state.json') });
    started.push(anvil);
    await deployCanonicalAccountContracts(anvil.rpcUrl, { deployerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY });
    const contracts = await ensureChronosContracts(anvil.rpcUrl, previous);

    const bundler = await startBundler({
      rpcUrl: anvil.rpcUrl, port: EMBEDDED_PORTS.bundler,
      executorPrivateKeys: [...EMBEDDED_BUNDLER_EXECUTOR_KEYS], utilityPrivateKey: EMBEDDED_BUNDLER_UTILITY_KEY,
    });
    started.push(bundler);
    const paymaster = await startPaymaster({ rpcUrl: anvil.rpcUrl, bundlerUrl: bundler.url, port: EMBEDDED_PORTS.paymaster });
    started.push(paymaster);

    const { demoClient, token: demoToken } = await ensureDemoClient({
      databaseUrl, previous: previous?.demoClient, rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, token: contracts.token,
    });
    logger.info({ ms: Date.now() - t0 }, 'embedded stack is up');

    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      RPC_URL: anvil.rpcUrl,
      BUNDLER_URL: bundler.url,
      PAYMASTER_URL: paymaster.url,
      CHAIN_ID: String(CHAIN_ID),
      TOKEN_ADDRESS: contracts.token,
      CLAIM_VAULT_ADDRESS: contracts.claimVault,
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
          apiUrl, rpcUrl: anvil.rpcUrl, bundlerUrl: bundler.url, paymasterUrl: paymaster.url, chainId: CHAIN_ID,
          entryPoint: CANONICAL_ENTRY_POINT_07, accountFactory: CANONICAL_SIMPLE_ACCOUNT_FACTORY_07,
          token: demoToken, claimVault: contracts.claimVault, databaseUrl, demoClient,
        };
        await writeFile(devFilePath(home), `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
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

/** Reuses the contracts recorded in dev.json while the chain still has them; deploys what is missing. */
async function ensureChronosContracts(rpcUrl: string, previous: DevFile | undefined): Promise<{ token: Address; claimVault: Address }> {
  const chain = toChain({ rpcUrl, chainId: CHAIN_ID });
  const publicClient = createPublicClient({ chain, transport: http(rpcUrl) });
  // A vault from before claims were keyed by claimer has no used(address, bytes32): the call fails and a new one is deployed.
  const [tokenCode, vaultCurrent] = await Promise.all([
    previous?.token ? publicClient.getCode({ address: previous.token }) : undefined,
    previous?.claimVault
      ? publicClient.readContract({ address: previous.claimVault, abi: claimVaultAbi, functionName: 'used', args: [zeroAddress, zeroHash] }).then(() => true, () => false)
      : false,
  ]);
  const account = privateKeyToAccount(EMBEDDED_DEPLOYER_PRIVATE_KEY);
  const walletClient = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const token = tokenCode ? previous!.token : await deployChronosToken(walletClient, { owner: account.address });
  const claimVault = vaultCurrent ? previous!.claimVault : await deployClaimVault(walletClient);
  return { token, claimVault };
}
