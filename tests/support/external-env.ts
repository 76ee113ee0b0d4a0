// A complete environment for an external stack (every variable set, no chain behind it, sponsored by
// Chronos's own paymaster): what the config tests parse, vary and break one variable at a time.
import type { CHRONOS_CONTRACTS } from '../../src/chain/contracts/registry.js';

/** Everything but the contract addresses. */
export const externalEnvWithoutContracts = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/chronos',
  RPC_URL: 'http://127.0.0.1:8545',
  BUNDLER_URL: 'http://127.0.0.1:4337',
  PAYMASTER_SIGNER_KEY: `0x${'22'.repeat(32)}`,
  CHAIN_ID: '31337',
  JWT_SECRET: 'x'.repeat(32),
  MASTER_KEY: `0x${'11'.repeat(32)}`,
};

export const externalEnv = {
  ...externalEnvWithoutContracts,
  TOKEN_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  CLAIM_VAULT_ADDRESS: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  PAYMASTER_ADDRESS: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
  ESCROW_ADDRESS: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
  CERTIFICATE_ADDRESS: '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9',
} satisfies Record<(typeof CHRONOS_CONTRACTS)[number]['variable'], string> & Record<string, string>;
