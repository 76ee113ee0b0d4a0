// Which contracts a client's operations call: its own ChronosToken (README "Decisions": one token per
// client), and the ClaimVault every token shares.
import { getAddress, type Address } from 'viem';
import type { Config } from '../config/schema.js';

export type OperationContracts = { token: Address; claimVault: Address };

/** A client's (or a transaction's) token: its own, or the shared TOKEN_ADDRESS when it has none (registered before tokens were per client). */
export function tokenOf(config: Pick<Config, 'contracts'>, tokenAddress: string | null | undefined): Address {
  return tokenAddress ? getAddress(tokenAddress) : config.contracts.token;
}

export function operationContracts(config: Pick<Config, 'contracts'>, tokenAddress: string | null | undefined): OperationContracts {
  return { token: tokenOf(config, tokenAddress), claimVault: config.contracts.claimVault };
}
