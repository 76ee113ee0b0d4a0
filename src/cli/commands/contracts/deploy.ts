import type { Address, Hex } from 'viem';
import { createDeployerClient } from '../../../admin/client-token.js';
import { deployChronosContracts } from '../../../chain/contracts/deploy.js';
import { CHRONOS_CONTRACTS, type ChronosContractKey } from '../../../chain/contracts/registry.js';
import { resolveDeployEnvironment } from '../../admin-environment.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';

export async function run({ out }: CommandInput): Promise<void> {
  const { chain, deployerPrivateKey: key, embedded, entryPoint, paymasterSigner } = await resolveDeployEnvironment();
  if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('DEPLOYER_PRIVATE_KEY must be set (0x + 64 hex characters) to deploy contracts');
  if (paymasterSigner === 'missing') {
    throw new UsageError(
      'PAYMASTER_SIGNER_KEY must be set (0x + 64 hex characters): the paymaster pays for what that key signs. Or set PAYMASTER_URL to sponsor with a hosted ERC-7677 paymaster and deploy no paymaster',
    );
  }
  const walletClient = createDeployerClient({ ...chain, privateKey: key as Hex });
  const { account } = walletClient;
  const deployed: Partial<Record<ChronosContractKey, Address>> = await deployChronosContracts(walletClient, {
    owner: account.address,
    entryPoint,
    paymasterSigner: paymasterSigner === 'hosted' ? undefined : paymasterSigner,
  });
  const contracts = CHRONOS_CONTRACTS.filter((c) => deployed[c.key]);
  // One column for every label: as wide as the longest contract name, and never narrower than "owner:".
  const width = Math.max(14, ...contracts.map((c) => c.name.length + 2));
  const line = (label: string, value: string) => `${`${label}:`.padEnd(width)}${value}`;
  out.result({ ...deployed, owner: account.address, chainId: chain.chainId, embedded }, [
    ...contracts.map((c) => line(c.name, deployed[c.key]!)),
    line('owner', account.address),
    line('chain', `${chain.chainId} (${embedded ? 'embedded, from .chronos/dev.json' : chain.rpcUrl})`),
    `set ${inWords(contracts.map((c) => c.variable))} to these values`,
    ...(deployed.paymaster ? [`then fund the paymaster: chronos paymaster deposit AMOUNT (PAYMASTER_ADDRESS=${deployed.paymaster})`] : []),
  ]);
}

/** "A", "A and B", "A, B and C". */
function inWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
