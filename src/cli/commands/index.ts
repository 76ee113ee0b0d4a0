// Every `chronos` command, in the order help lists them. Importing this loads descriptions only.
import type { Entry } from '../command.js';
import { serviceCommands } from './service.js';
import { clientsCommand } from './clients.js';
import { policyCommand } from './policy.js';
import { migrateCommand } from './migrate.js';
import { contractsCommand } from './contracts.js';
import { paymasterCommand } from './paymaster.js';
import { tokensCommand } from './tokens.js';

export const SECTIONS: { title: string; entries: Entry[] }[] = [
  { title: 'Run the service', entries: serviceCommands },
  { title: 'Administer', entries: [clientsCommand, tokensCommand, policyCommand, migrateCommand, contractsCommand, paymasterCommand] },
];

export const COMMANDS: Entry[] = SECTIONS.flatMap((section) => section.entries);

/** What `chronos` with no command runs. */
export const DEFAULT_COMMAND = 'start';
