// `chronos` — run the service (start | api | worker) or administer it (clients, migrate, contracts).
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { createOutput, UsageError } from './output.js';
import { clientsCommand } from './commands/clients.js';
import { policyCommand } from './commands/policy.js';
import { migrateCommand } from './commands/migrate.js';
import { contractsCommand } from './commands/contracts.js';
import { runCommand } from './commands/run.js';
import { ConfigError } from '../config/load.js';

const HELP = `usage: chronos <command> [options] [--json]

Run:
  start                     API and worker in one process (default). With no DATABASE_URL/RPC_URL/
                            BUNDLER_URL/PAYMASTER_URL it first brings up the embedded local stack.
  api                       the HTTP API only
  worker                    the job worker only

Administer:
  clients create --name NAME [--scopes wallet,mint,transfer,claim] [--webhook-url URL]
                 [--signer 0xADDRESS] [--rate-limit general=100,minting=10,external=30,auth=5]
                 [--token 0xADDRESS]  share an existing ChronosToken (default: deploy the client's own)
  clients list | show ID | revoke ID | rotate-secret ID | rotate-webhook-secret ID
  clients set-webhook ID URL|none | set-scopes ID LIST | set-rate-limit ID SPEC | set-signer ID 0xADDRESS
  policy set ID [--mint D/W/M] [--transfer D/W/M] [--claim D/W/M]
                            per-user quotas per UTC day/week (from Monday)/month, e.g. --mint 10/50/200;
                            - leaves a period unlimited; an operation left out is unlimited
  policy show ID | enable ID | disable ID | clear ID
  migrate                   apply database migrations
  contracts deploy          deploy ChronosToken and ClaimVault (DEPLOYER_PRIVATE_KEY)

Every command accepts --json and then prints one JSON object on stdout.`;

async function main(argv: string[]): Promise<void> {
  loadDotenv({ quiet: true });
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'webhook-url': { type: 'string' },
      signer: { type: 'string' },
      token: { type: 'string' },
      'rate-limit': { type: 'string' },
      mint: { type: 'string' },
      transfer: { type: 'string' },
      claim: { type: 'string' },
    },
  });
  const out = createOutput(values.json === true);
  const [command = 'start', ...rest] = positionals;
  if (values.help || command === 'help') return void process.stdout.write(`${HELP}\n`);
  switch (command) {
    case 'start': case 'api': case 'worker':
      return runCommand(out, { role: command });
    case 'clients':
      return clientsCommand(out, { positionals: rest, values });
    case 'policy':
      return policyCommand(out, { positionals: rest, values });
    case 'migrate':
      return migrateCommand(out);
    case 'contracts':
      return contractsCommand(out, { positionals: rest });
    default:
      throw new UsageError(`unknown command '${command}'\n${HELP}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.stderr.write(`chronos: ${error instanceof ConfigError ? `configuration error: ${message}` : message}\n`);
  process.exitCode = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
});
