// Where the admin commands find the database and chain: DATABASE_URL & co., or, in a folder where
// the embedded default runs, `.chronos/dev.json`.
import type { Address, Hex } from 'viem';
import { chronosHome, readDevFile } from '../runtime/home.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../runtime/embedded-keys.js';
import { UsageError } from './output.js';

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
};

export type DeployEnvironment = { embedded: boolean; chain: ChainEnvironment; deployerPrivateKey?: Hex };

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
    };
  }
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError(`DATABASE_URL is not set and no .chronos/dev.json is here: set DATABASE_URL, or ${NOT_STARTED_HINT}`);
  return {
    embedded: true,
    databaseUrl: dev.databaseUrl,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token },
    deployerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY,
  };
}

/**
 * The chain a deployment goes to: RPC_URL and CHAIN_ID, or the embedded chain of `.chronos/dev.json`
 * (with its deployer key) when none of the external variables is set, as `chronos start` decides.
 */
export async function resolveDeployEnvironment(env: Record<string, string | undefined> = process.env): Promise<DeployEnvironment> {
  const deployerPrivateKey = env.DEPLOYER_PRIVATE_KEY as Hex | undefined;
  if (env.RPC_URL || env.CHAIN_ID) {
    if (!env.RPC_URL || !env.CHAIN_ID) throw new UsageError('RPC_URL and CHAIN_ID must both be set to deploy contracts');
    return { embedded: false, chain: chainFromVariables(env), deployerPrivateKey };
  }
  const external = ['DATABASE_URL', 'BUNDLER_URL', 'PAYMASTER_URL'].find((name) => env[name]);
  if (external) throw new UsageError(`${external} is set (not the embedded default), so RPC_URL and CHAIN_ID must be set too to deploy contracts`);
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError(`RPC_URL and CHAIN_ID are not set and no .chronos/dev.json is here: set them, or ${NOT_STARTED_HINT}`);
  return {
    embedded: true,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token },
    deployerPrivateKey: deployerPrivateKey ?? EMBEDDED_DEPLOYER_PRIVATE_KEY,
  };
}

function chainFromVariables(env: Record<string, string | undefined>): ChainEnvironment {
  const chainId = Number(env.CHAIN_ID);
  if (!Number.isInteger(chainId) || chainId <= 0) throw new UsageError(`CHAIN_ID must be a positive whole number, not '${env.CHAIN_ID}'`);
  return { rpcUrl: env.RPC_URL!, chainId, token: env.TOKEN_ADDRESS as Address | undefined };
}
