// `chronos tokens …`: the tokens a client's operations may move beside its own ChronosToken, and the
// amount one operation may move in each (README, Payments: the client's tokens). Each subcommand's code
// lives in tokens/<name>.ts and is imported only when that subcommand runs.
import type { CommandGroup } from '../command.js';
import { ADMIN_ENVIRONMENT_HELP } from '../admin-environment.js';

const CHAIN = 'Reads the token on RPC_URL/CHAIN_ID (or the embedded chain of .chronos/dev.json). In effect for the API within ~2 s.';

export const tokensCommand: CommandGroup = {
  name: 'tokens',
  summary: "list, add and limit the tokens a client's operations move",
  details: ADMIN_ENVIRONMENT_HELP,
  subcommands: [
    {
      name: 'list',
      summary: "the client's tokens, its own first, with their limits",
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./tokens/list.js'),
    },
    {
      name: 'add',
      summary: "let the client's operations move TOKEN (an 18-decimal ERC-20)",
      args: ['ID', 'TOKEN'],
      details: [
        "Transfers, payouts, withdrawals and escrows then take `token: TOKEN`; mints and claims stay on the client's own ChronosToken. Adding a token twice changes nothing.",
        CHAIN,
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos tokens add client_01J… 0x5FbDB2315678afecb367f032d93F642f64180aa3'],
      load: () => import('./tokens/add.js'),
    },
    {
      name: 'set-limits',
      summary: 'set the least and most one operation may move in TOKEN (- lifts them)',
      args: ['ID', 'TOKEN', 'LIMITS'],
      details: [
        "LIMITS is MIN/MAX in token units, either side `none` (e.g. 1/500, none/1000), or - to lift both. The client's own token may be limited too.",
        'An operation outside them is refused with 400 AMOUNT_OUT_OF_RANGE.',
        CHAIN,
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos tokens set-limits client_01J… 0x5FbDB2315678afecb367f032d93F642f64180aa3 1/500'],
      load: () => import('./tokens/set-limits.js'),
    },
  ],
};
