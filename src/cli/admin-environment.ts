// Where the admin commands find the database and chain: DATABASE_URL & co., or, in a folder where
// the embedded default runs, `.chronos/dev.json`.
import { isAddress, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chronosHome, readDevFile } from '../runtime/home.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../runtime/embedded-keys.js';
import { UsageError } from './output.js';
import { loadOrCreateSecrets } from '../runtime/secrets-file.js';
import { CANONICAL_ENTRY_POINT_07 } from '../config/schema.js';
import { splitUrlList } from '../config/url-list.js';

/**
 * `token`: the shared TOKEN_ADDRESS (or dev.json's token), on which the signer of a client without a
 * token of its own is authorized. The admin commands call no other contract of the deployment's.
 */
export type ChainEnvironment = { rpcUrl: string; chainId: number; token?: Address };

export type AdminEnvironment = {
  embedded: boolean;
  databaseUrl: string;
  chain?: ChainEnvironment;
  deployerPrivateKey?: Hex;
  /** The API's MASTER_KEY (the embedded default's own): a client's certificate issuer is derived from it. */
  masterKey?: Hex;
};

export type DeployEnvironment = {
  embedded: boolean;
  chain: ChainEnvironment;
  deployerPrivateKey?: Hex;
  entryPoint: Address;
  /**
   * Whom the paymaster trusts (PAYMASTER_SIGNER_KEY's address); `hosted` when PAYMASTER_URL sponsors
   * instead (no paymaster to deploy); `missing` when neither is set.
   */
  paymasterSigner: Address | 'hosted' | 'missing';
};

/** Where `chronos paymaster …` finds Chronos's own paymaster, and the key that owns and funds it. */
export type PaymasterEnvironment = {
  embedded: boolean;
  chain: ChainEnvironment;
  paymaster: Address;
  deployerPrivateKey?: Hex;
};

/** The help line of every command that reads the database. */
export const ADMIN_ENVIRONMENT_HELP = ['Uses DATABASE_URL, or where the embedded default runs (`npm start` in this folder), .chronos/dev.json (CHRONOS_HOME).'];

const NOT_STARTED_HINT = 'run `npm start` in this folder first';

export async function resolveAdminEnvironment(env: Record<string, string | undefined> = process.env): Promise<AdminEnvironment> {
  if (env.DATABASE_URL) {
    return {
      embedded: false,
      databaseUrl: env.DATABASE_URL,
      chain: env.RPC_URL && env.CHAIN_ID ? chainFromVariables(env) : undefined,
      deployerPrivateKey: env.DEPLOYER_PRIVATE_KEY as Hex | undefined,
      masterKey: env.MASTER_KEY as Hex | undefined,
    };
  }
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError(`DATABASE_URL is not set and no .chronos/dev.json is here: set DATABASE_URL, or ${NOT_STARTED_HINT}`);
  return {
    embedded: true,
    databaseUrl: dev.databaseUrl,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token },
    deployerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY,
    masterKey: (await loadOrCreateSecrets(chronosHome(env))).masterKey,
  };
}

/**
 * The chain a deployment goes to: RPC_URL and CHAIN_ID, or the embedded chain of `.chronos/dev.json`
 * (with its deployer key) when none of the external variables is set, as `chronos start` decides.
 */
export async function resolveDeployEnvironment(env: Record<string, string | undefined> = process.env): Promise<DeployEnvironment> {
  const deployerPrivateKey = env.DEPLOYER_PRIVATE_KEY as Hex | undefined;
  const entryPoint = (env.ENTRY_POINT_ADDRESS || CANONICAL_ENTRY_POINT_07) as Address;
  if (env.RPC_URL || env.CHAIN_ID) {
    if (!env.RPC_URL || !env.CHAIN_ID) throw new UsageError('RPC_URL and CHAIN_ID must both be set to deploy contracts');
    return { embedded: false, chain: chainFromVariables(env), deployerPrivateKey, entryPoint, paymasterSigner: paymasterSignerFromVariables(env) };
  }
  const external = ['DATABASE_URL', 'BUNDLER_URL', 'PAYMASTER_URL'].find((name) => env[name]);
  if (external) throw new UsageError(`${external} is set (not the embedded default), so RPC_URL and CHAIN_ID must be set too to deploy contracts`);
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError(`RPC_URL and CHAIN_ID are not set and no .chronos/dev.json is here: set them, or ${NOT_STARTED_HINT}`);
  const { paymasterSignerKey } = await loadOrCreateSecrets(chronosHome(env));
  return {
    embedded: true,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token },
    deployerPrivateKey: deployerPrivateKey ?? EMBEDDED_DEPLOYER_PRIVATE_KEY,
    entryPoint,
    paymasterSigner: privateKeyToAccount(paymasterSignerKey).address,
  };
}

function paymasterSignerFromVariables(env: Record<string, string | undefined>): DeployEnvironment['paymasterSigner'] {
  if (env.PAYMASTER_URL) return 'hosted';
  const key = env.PAYMASTER_SIGNER_KEY;
  return key && /^0x[0-9a-fA-F]{64}$/.test(key) ? privateKeyToAccount(key as Hex).address : 'missing';
}

function chainFromVariables(env: Record<string, string | undefined>): ChainEnvironment {
  const chainId = Number(env.CHAIN_ID);
  if (!Number.isInteger(chainId) || chainId <= 0) throw new UsageError(`CHAIN_ID must be a positive whole number, not '${env.CHAIN_ID}'`);
  // A one-off command talks to one endpoint: RPC_URL's first entry when it lists several.
  return { rpcUrl: splitUrlList(env.RPC_URL!)[0], chainId, token: env.TOKEN_ADDRESS as Address | undefined };
}

/**
 * Chronos's own paymaster: PAYMASTER_ADDRESS on RPC_URL/CHAIN_ID, or the embedded default's of
 * `.chronos/dev.json` (with its deployer key) when none of the external variables is set. With
 * PAYMASTER_URL a hosted paymaster sponsors, and there is no paymaster of Chronos's to manage.
 */
export async function resolvePaymasterEnvironment(env: Record<string, string | undefined> = process.env): Promise<PaymasterEnvironment> {
  if (env.PAYMASTER_URL) throw new UsageError(HOSTED_PAYMASTER_REFUSAL);
  const deployerPrivateKey = env.DEPLOYER_PRIVATE_KEY as Hex | undefined;
  const given = ['PAYMASTER_ADDRESS', 'RPC_URL', 'CHAIN_ID', 'DATABASE_URL', 'BUNDLER_URL'].filter((name) => env[name]);
  if (given.length > 0) {
    const missing = ['PAYMASTER_ADDRESS', 'RPC_URL', 'CHAIN_ID'].filter((name) => !env[name]);
    if (missing.length > 0)
      throw new UsageError(
        `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} set (not the embedded default), so ${missing.join(', ')} must be set too to reach the paymaster`,
      );
    if (!isAddress(env.PAYMASTER_ADDRESS!))
      throw new UsageError(`PAYMASTER_ADDRESS must be an address (0x + 40 hex characters), not '${env.PAYMASTER_ADDRESS}'`);
    return { embedded: false, chain: chainFromVariables(env), paymaster: env.PAYMASTER_ADDRESS as Address, deployerPrivateKey };
  }
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError(`PAYMASTER_ADDRESS, RPC_URL and CHAIN_ID are not set and no .chronos/dev.json is here: set them, or ${NOT_STARTED_HINT}`);
  if (dev.paymasterUrl || !dev.paymaster) throw new UsageError(HOSTED_PAYMASTER_REFUSAL);
  return {
    embedded: true,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token },
    paymaster: dev.paymaster,
    deployerPrivateKey: deployerPrivateKey ?? EMBEDDED_DEPLOYER_PRIVATE_KEY,
  };
}

const HOSTED_PAYMASTER_REFUSAL =
  "a hosted ERC-7677 paymaster (PAYMASTER_URL) sponsors, so Chronos has no paymaster of its own to fund or withdraw from; manage that paymaster's balance with its provider";
