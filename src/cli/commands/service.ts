// `chronos start | api | worker`: run the service. The code (express, viem, graphile-worker, the embedded
// stack …) is imported only when one of these runs, so admin commands start quickly.
import type { Command, CommandModule } from '../command.js';
import type { Role } from './service/run.js';

const runAs = (role: Role) => async (): Promise<CommandModule> => {
  const { runService } = await import('./service/run.js');
  return { run: (input) => runService(input, role) };
};

const CONFIGURATION = 'Configuration comes from the environment and a .env file (README "Configuration").';

export const serviceCommands: Command[] = [
  {
    name: 'start',
    summary: 'run the API and the worker in one process (the default command)',
    details: [
      'With none of DATABASE_URL, RPC_URL, BUNDLER_URL, PAYMASTER_URL set, first brings up the embedded local stack (Postgres, anvil, bundler, paymaster, contracts, a demo client) under .chronos/ and writes .chronos/dev.json.',
      'Otherwise applies pending migrations and serves PORT. SIGTERM/SIGINT drain in-flight work, then exit 0.',
      CONFIGURATION,
    ],
    load: runAs('start'),
  },
  {
    name: 'api',
    summary: 'run the HTTP API only',
    details: ['Needs DATABASE_URL, RPC_URL, BUNDLER_URL and PAYMASTER_URL (only start brings up the embedded stack). Serves PORT.', CONFIGURATION],
    load: runAs('api'),
  },
  {
    name: 'worker',
    summary: 'run the job worker and inclusion tracker only',
    details: ['Needs DATABASE_URL, RPC_URL, BUNDLER_URL and PAYMASTER_URL. Serves /healthz, /readyz and /metrics on METRICS_PORT (9464).', CONFIGURATION],
    load: runAs('worker'),
  },
];
