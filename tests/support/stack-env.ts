// The shared stack's coordinates, published by global-setup through the environment.
import type { Address } from 'viem';

export const TEMPLATE_DATABASE = 'chronos_template';

export type TestStackEnv = {
  rpcUrl: string;
  bundlerUrl: string;
  paymasterUrl: string;
  chainId: number;
  pgAdminUrl: string;
  token: Address;
  claimVault: Address;
};

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
    token: need('CHRONOS_TEST_TOKEN') as Address,
    claimVault: need('CHRONOS_TEST_CLAIM_VAULT') as Address,
  };
}
