import { createWalletClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../../chain/clients.js';
import { deployChronosContracts } from '../../chain/contracts/deploy.js';
import { UsageError, type Output } from '../output.js';
import { resolveAdminEnvironment } from '../admin-environment.js';

/** `chronos contracts deploy`: ChronosToken and ClaimVault, owned by the deployer. */
export async function contractsCommand(out: Output, { positionals }: { positionals: string[] }): Promise<void> {
  if (positionals[0] !== 'deploy') throw new UsageError('usage: chronos contracts deploy');
  const rpcUrl = process.env.RPC_URL;
  const chainId = Number(process.env.CHAIN_ID);
  const key = process.env.DEPLOYER_PRIVATE_KEY ?? (process.env.DATABASE_URL ? undefined : (await resolveAdminEnvironment()).deployerPrivateKey);
  if (!rpcUrl || !Number.isInteger(chainId) || chainId <= 0) throw new UsageError('RPC_URL and CHAIN_ID must be set to deploy contracts');
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('DEPLOYER_PRIVATE_KEY must be set (0x + 64 hex characters) to deploy contracts');
  const account = privateKeyToAccount(key as Hex);
  const walletClient = createWalletClient({ account, chain: toChain({ rpcUrl, chainId }), transport: http(rpcUrl) });
  const { token, claimVault } = await deployChronosContracts(walletClient, { owner: account.address });
  out.result({ token, claimVault, owner: account.address }, [
    `ChronosToken: ${token}`, `ClaimVault:   ${claimVault}`, `owner:        ${account.address}`,
    'set TOKEN_ADDRESS and CLAIM_VAULT_ADDRESS to these values',
  ]);
}
