import { createWalletClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../../../chain/clients.js';
import { deployChronosContracts } from '../../../chain/contracts/deploy.js';
import { CHRONOS_CONTRACTS } from '../../../chain/contracts/registry.js';
import { resolveDeployEnvironment } from '../../admin-environment.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';

export async function run({ out }: CommandInput): Promise<void> {
  const { chain, deployerPrivateKey: key, embedded } = await resolveDeployEnvironment();
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('DEPLOYER_PRIVATE_KEY must be set (0x + 64 hex characters) to deploy contracts');
  const account = privateKeyToAccount(key as Hex);
  const walletClient = createWalletClient({ account, chain: toChain(chain), transport: http(chain.rpcUrl) });
  const deployed = await deployChronosContracts(walletClient, { owner: account.address });
  // One column for every label: as wide as the longest contract name, and never narrower than "owner:".
  const width = Math.max(14, ...CHRONOS_CONTRACTS.map((c) => c.name.length + 2));
  const line = (label: string, value: string) => `${`${label}:`.padEnd(width)}${value}`;
  out.result({ ...deployed, owner: account.address, chainId: chain.chainId, embedded }, [
    ...CHRONOS_CONTRACTS.map((c) => line(c.name, deployed[c.key])),
    line('owner', account.address),
    line('chain', `${chain.chainId} (${embedded ? 'embedded, from .chronos/dev.json' : chain.rpcUrl})`),
    `set ${inWords(CHRONOS_CONTRACTS.map((c) => c.variable))} to these values`,
  ]);
}

/** "A", "A and B", "A, B and C". */
function inWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
