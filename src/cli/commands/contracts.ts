// `chronos contracts …`: this project's Solidity contracts (contracts/*.sol), ChronosToken, ClaimVault and ChronosPaymaster.
// The run files loop over src/chain/contracts/registry.ts; this help names the contracts in prose
// instead, because importing the registry (and viem with it) would slow every `chronos --help`.
import type { CommandGroup } from '../command.js';

export const contractsCommand: CommandGroup = {
  name: 'contracts',
  summary: 'compile and deploy ChronosToken, ClaimVault and ChronosPaymaster',
  subcommands: [
    {
      name: 'compile',
      summary: 'compile contracts/*.sol with solc-js (npm run contracts:compile)',
      options: {
        out: {
          type: 'string',
          placeholder: 'DIR',
          description: 'also write ChronosToken.json, ClaimVault.json and ChronosPaymaster.json ({ abi, bytecode }) into DIR',
        },
        force: { type: 'boolean', description: 'compile again even when the cached result is current' },
      },
      details: [
        'The result is cached under node_modules/.cache/chronos-contracts, keyed by the compiler version, its settings and every source file; `chronos start` and `contracts deploy` use that cache, so compiling first saves them the wait.',
      ],
      load: () => import('./contracts/compile.js'),
    },
    {
      name: 'deploy',
      summary: 'deploy ChronosToken, a ClaimVault and ChronosPaymaster, owned by the deployer',
      details: [
        'Deploys to RPC_URL/CHAIN_ID with DEPLOYER_PRIVATE_KEY, who becomes the token owner (the only one who can authorize mint signers) and the paymaster owner (withdrawals).',
        'The paymaster pays for what PAYMASTER_SIGNER_KEY signs; with PAYMASTER_URL set (a hosted paymaster) none is deployed. Fund it with `chronos paymaster deposit`.',
        'With none of DATABASE_URL, RPC_URL, BUNDLER_URL, PAYMASTER_URL set, deploys to the embedded chain of .chronos/dev.json (`npm start` in this folder first) with its deployer key, unless DEPLOYER_PRIVATE_KEY is set.',
        'Prints the addresses: set TOKEN_ADDRESS, CLAIM_VAULT_ADDRESS and PAYMASTER_ADDRESS to them.',
      ],
      load: () => import('./contracts/deploy.js'),
    },
  ],
};
