// Where the admin commands find the database and chain: DATABASE_URL & co., or, in a folder where
// the embedded default runs, `.chronos/dev.json`.
import type { Address, Hex } from 'viem';
import { chronosHome, readDevFile } from '../runtime/home.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../runtime/embedded-keys.js';
import { UsageError } from './output.js';

export type AdminEnvironment = {
  embedded: boolean;
  databaseUrl: string;
  chain?: { rpcUrl: string; chainId: number; token?: Address; claimVault?: Address };
  deployerPrivateKey?: Hex;
};

export async function resolveAdminEnvironment(env: Record<string, string | undefined> = process.env): Promise<AdminEnvironment> {
  if (env.DATABASE_URL) {
    return {
      embedded: false,
      databaseUrl: env.DATABASE_URL,
      chain: env.RPC_URL && env.CHAIN_ID
        ? { rpcUrl: env.RPC_URL, chainId: Number(env.CHAIN_ID), token: env.TOKEN_ADDRESS as Address | undefined, claimVault: env.CLAIM_VAULT_ADDRESS as Address | undefined }
        : undefined,
      deployerPrivateKey: env.DEPLOYER_PRIVATE_KEY as Hex | undefined,
    };
  }
  const dev = await readDevFile(chronosHome(env));
  if (!dev) throw new UsageError('DATABASE_URL is not set and no .chronos/dev.json is here: set DATABASE_URL, or run `npm start` in this folder first');
  return {
    embedded: true,
    databaseUrl: dev.databaseUrl,
    chain: { rpcUrl: dev.rpcUrl, chainId: dev.chainId, token: dev.token, claimVault: dev.claimVault },
    deployerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY,
  };
}
