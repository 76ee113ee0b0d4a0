// `chronos policy …`: per-user quotas of a client (README "Limits"). Each subcommand's code lives in
// policy/<name>.ts and is imported only when that subcommand runs.
import type { CommandGroup } from '../command.js';
import { ADMIN_ENVIRONMENT_HELP } from '../admin-environment.js';
import { OPERATION_TYPE_NAMES } from '../../operations/names.js';

const LIMITS = (operation: string) => ({
  type: 'string' as const,
  placeholder: 'D/W/M',
  description: `${operation} per user per UTC day/week/month, e.g. 10/50/200 (- = no limit)`,
});

const GAS_BUDGET = (whose: string) => ({
  type: 'string' as const,
  placeholder: 'D/W/M',
  description: `gas sponsored ${whose} per UTC day/week/month, e.g. 0.05ether/0.2ether/1ether (plain integers are wei; - = no budget)`,
});

// A flag per operation type (`--<type> D/W/M`), named from the registry so a new type has one.
const LIMIT_FLAGS = OPERATION_TYPE_NAMES.map((type) => `--${type}`);
const [FIRST, SECOND = FIRST] = LIMIT_FLAGS;

export const policyCommand: CommandGroup = {
  name: 'policy',
  summary: "set and inspect a client's per-user quotas and gas budgets",
  details: ADMIN_ENVIRONMENT_HELP,
  subcommands: [
    {
      name: 'set',
      summary: "replace the client's policy (an operation left out is unlimited) and enable it",
      args: ['ID'],
      options: {
        ...Object.fromEntries(OPERATION_TYPE_NAMES.map((type) => [type, LIMITS(`${type}s`)])),
        'gas-budget-client': GAS_BUDGET('for the whole client'),
        'gas-budget-user': GAS_BUDGET('per user'),
      },
      details: [
        `At least one of ${LIMIT_FLAGS.join(', ')}, --gas-budget-client, --gas-budget-user. Weeks start on Monday. Write ${SECOND}=-/100/500 when the value starts with "-".`,
        'To remove every limit use `chronos policy clear ID`.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: [
        `chronos policy set client_01J… ${FIRST} 10/50/200 ${SECOND}=-/100/500`,
        'chronos policy set client_01J… --gas-budget-client 0.05ether/0.2ether/1ether --gas-budget-user=-/-/0.01ether',
      ],
      load: () => import('./policy/set.js'),
    },
    {
      name: 'show',
      summary: "show the client's policy",
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./policy/show.js'),
    },
    {
      name: 'enable',
      summary: 'enforce the policy again',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./policy/enable.js'),
    },
    {
      name: 'disable',
      summary: 'stop limiting, keeping the limits; /quota/check answers 403 POLICY_DISABLED',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./policy/disable.js'),
    },
    {
      name: 'clear',
      summary: 'remove the policy; /quota/check answers 404 POLICY_NOT_FOUND',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./policy/clear.js'),
    },
  ],
};
