import { createWalletClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../../../chain/clients.js';
import { deployChronosContracts } from '../../../chain/contracts/deploy.js';
import { resolveDeployEnvironment } from '../../admin-environment.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';

export async function run({ out }: CommandInput): Promise<void> {
  const { chain, deployerPrivateKey: key, embedded } = await resolveDeployEnvironment();
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('DEPLOYER_PRIVATE_KEY must be set (0x + 64 hex characters) to deploy contracts');
  const account = privateKeyToAccount(key as Hex);
  const walletClient = createWalletClient({ account, chain: toChain(chain), transport: http(chain.rpcUrl) });
  const { token, claimVault } = await deployChronosContracts(walletClient, { owner: account.address });
  out.result({ token, claimVault, owner: account.address, chainId: chain.chainId, embedded }, [
    `ChronosToken: ${token}`,
    `ClaimVault:   ${claimVault}`,
    `owner:        ${account.address}`,
    `chain:        ${chain.chainId} (${embedded ? 'embedded, from .chronos/dev.json' : chain.rpcUrl})`,
    'set TOKEN_ADDRESS and CLAIM_VAULT_ADDRESS to these values',
  ]);
}
