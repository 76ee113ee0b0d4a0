// `chronos paymaster …`: the EntryPoint deposit of Chronos's own paymaster (ChronosPaymaster), from
// which it pays for what it sponsors. Each subcommand's code lives in paymaster/<name>.ts and is
// imported only when that subcommand runs.
import type { CommandGroup } from '../command.js';

const WHERE = [
  'Uses PAYMASTER_ADDRESS on RPC_URL/CHAIN_ID, or, with none of DATABASE_URL, RPC_URL, BUNDLER_URL, PAYMASTER_URL set, the embedded default of .chronos/dev.json (`npm start` in this folder first) with its deployer key. Needs no database.',
  "With PAYMASTER_URL set a hosted paymaster sponsors: there is no paymaster of Chronos's to manage, and these commands refuse.",
];
const AMOUNT = 'AMOUNT is ether unless it ends in gwei or wei: 0.5, 2000000gwei, 10wei.';

export const paymasterCommand: CommandGroup = {
  name: 'paymaster',
  summary: "inspect, fund and withdraw the own paymaster's EntryPoint deposit",
  details: WHERE,
  subcommands: [
    {
      name: 'status',
      summary: 'show the paymaster, its EntryPoint deposit, verifying signer and owner',
      details: [
        'Also shows the deployer and its balance when DEPLOYER_PRIVATE_KEY (or the embedded key) is known. With --json, wei amounts are decimal strings.',
        ...WHERE,
      ],
      load: () => import('./paymaster/status.js'),
    },
    {
      name: 'deposit',
      summary: "add AMOUNT to the paymaster's deposit, sent by the deployer",
      args: ['AMOUNT'],
      details: [
        AMOUNT,
        "Sends deposit() from DEPLOYER_PRIVATE_KEY's account and waits for it to be mined; refuses before sending when that account cannot pay AMOUNT and the gas.",
        ...WHERE,
      ],
      examples: ['chronos paymaster deposit 0.5', 'chronos paymaster deposit 2000000gwei'],
      load: () => import('./paymaster/deposit.js'),
    },
    {
      name: 'withdraw',
      summary: "send AMOUNT of the paymaster's deposit to TO (the owner only)",
      args: ['AMOUNT', 'TO'],
      details: [
        AMOUNT,
        "Sends withdrawTo(TO, AMOUNT) as the paymaster's owner (DEPLOYER_PRIVATE_KEY, the deployer) and waits for it to be mined; refuses before sending when the key is not the owner's or AMOUNT is more than the deposit.",
        ...WHERE,
      ],
      examples: ['chronos paymaster withdraw 0.25 0x70997970C51812dc3A010C7d01b50e0d17dc79C8'],
      load: () => import('./paymaster/withdraw.js'),
    },
  ],
};
