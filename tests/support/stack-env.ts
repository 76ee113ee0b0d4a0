// The shared stack's coordinates, published by global-setup through the environment.
import { keccak256, toHex, type Address, type Hex } from 'viem';
import { mapChronosContracts, type ChronosContractAddresses, type ChronosContractVariable } from '../../src/chain/contracts/registry.js';

export const TEMPLATE_DATABASE = 'chronos_template';
/** The shared ChronosPaymaster trusts this key (a fixed test key, holding nothing). */
export const TEST_PAYMASTER_SIGNER_KEY: Hex = keccak256(toHex('chronos test paymaster signer'));

/** `token`, `claimVault`, …: the shared deployment of every contract in the registry. */
export type TestStackEnv = {
  rpcUrl: string;
  bundlerUrl: string;
  /** An ERC-7677 service in front of the shared paymaster (tests/support/erc7677-paymaster.ts), for PAYMASTER_URL mode. */
  paymasterUrl: string;
  chainId: number;
  pgAdminUrl: string;
} & ChronosContractAddresses;

/** CHRONOS_TEST_TOKEN for TOKEN_ADDRESS, CHRONOS_TEST_CLAIM_VAULT for CLAIM_VAULT_ADDRESS, … */
export const testContractVariable = (variable: ChronosContractVariable) => `CHRONOS_TEST_${variable.replace(/_ADDRESS$/, '')}`;

export function testStackEnv(): TestStackEnv {
  const need = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the tests through jest so global-setup starts the stack`);
    return value;
  };
  return {
    rpcUrl: need('CHRONOS_TEST_RPC_URL'),
    bundlerUrl: need('CHRONOS_TEST_BUNDLER_URL'),
    paymasterUrl: need('CHRONOS_TEST_PAYMASTER_URL'),
    chainId: Number(need('CHRONOS_TEST_CHAIN_ID')),
    pgAdminUrl: need('CHRONOS_TEST_PG_URL'),
    ...mapChronosContracts((c) => need(testContractVariable(c.variable)) as Address),
  };
}
