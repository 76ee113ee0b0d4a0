// Which contracts a client's operations call: its own ChronosToken (README "Decisions": one token per
// client), and the deployment's one of every other registry entry (the ClaimVault every token shares, …).
import { getAddress, type Address } from 'viem';
import { mapChronosContracts, type ChronosContractAddresses } from '../chain/contracts/registry.js';

export type OperationContracts = ChronosContractAddresses;

/** A client's (or a transaction's) token: its own, or the shared TOKEN_ADDRESS when it has none (registered before tokens were per client). */
export function tokenOf(config: { contracts: Readonly<ChronosContractAddresses> }, tokenAddress: string | null | undefined): Address {
  return tokenAddress ? getAddress(tokenAddress) : config.contracts.token;
}

export function operationContracts(config: { contracts: Readonly<ChronosContractAddresses> }, tokenAddress: string | null | undefined): OperationContracts {
  return { ...mapChronosContracts((c) => config.contracts[c.key]), token: tokenOf(config, tokenAddress) };
}
