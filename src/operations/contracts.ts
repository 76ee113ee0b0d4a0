// Which contracts a client's operations call: its own ChronosToken (README "Decisions": one token per
// client), and the deployment's one of every other registry entry (the ClaimVault every token shares, …).
import { getAddress, type Address } from 'viem';
import type { ConfiguredContractAddresses } from '../chain/contracts/registry.js';

/** What operations call; the paymaster is the sponsor's business, not theirs. */
export type OperationContracts = Omit<ConfiguredContractAddresses, 'paymaster'>;

/** A client's (or a transaction's) token: its own, or the shared TOKEN_ADDRESS when it has none (registered before tokens were per client). */
export function tokenOf(config: { contracts: Readonly<ConfiguredContractAddresses> }, tokenAddress: string | null | undefined): Address {
  return tokenAddress ? getAddress(tokenAddress) : config.contracts.token;
}

export function operationContracts(config: { contracts: Readonly<ConfiguredContractAddresses> }, tokenAddress: string | null | undefined): OperationContracts {
  const { paymaster: _, ...contracts } = config.contracts;
  return { ...contracts, token: tokenOf(config, tokenAddress) };
}
