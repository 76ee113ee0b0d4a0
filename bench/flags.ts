// `npm run bench -- --ops 200 --users 20 --duration 10 …`
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const PHASES = ['accept', 'e2e', 'hot', 'tracking', 'status'] as const;
export type Phase = (typeof PHASES)[number];

export type Flags = {
  /** End to end: operations in total, and users (accounts) sending them in parallel. */
  ops: number;
  users: number;
  /** One busy user: transfers from one user against as many from as many users. */
  hotOps: number;
  /** Seconds of each measured load run (accept, status read). */
  duration: number;
  /** Seconds of warm-up before each measured load run. */
  warmup: number;
  /** autocannon connections for the closed-loop runs. */
  connections: number;
  /** Pre-funded users the accept load rotates through. */
  acceptUsers: number;
  /** Blocks mined per tracking measurement, and the time between them. */
  blocks: number;
  blockIntervalMs: number;
  /** Pending operations in the second tracking measurement. */
  pending: number;
  /** Transactions stored for the two status-read measurements. */
  statusSmall: number;
  statusLarge: number;
  /** LOG_LEVEL of the Chronos processes (info, the default, writes one access-log line per request). */
  logLevel: string;
  out: string;
  phases: Phase[];
  /** Where the Chronos processes write V8 CPU profiles (node --cpu-prof), if anywhere. */
  cpuProf?: string;
  /** Run Chronos from the TypeScript sources (tsx) instead of a production build. */
  source: boolean;
  /** NODE_OPTIONS for the Chronos processes: by default the V8 flags the image and `npm start` run with. */
  nodeOptions?: string;
};

export const PRODUCTION_NODE_OPTIONS = '--max-semi-space-size=4';

const USAGE = `usage: npm run bench -- [--ops 200] [--users 20] [--hot-ops 200] [--duration 10] [--warmup 3] [--connections 50]
  [--accept-users 200] [--blocks 50] [--block-interval 100] [--pending 1000]
  [--status-small 1000] [--status-large 1000000] [--log-level info] [--out bench/results/latest.json]
  [--phases accept,e2e,hot,tracking,status] [--cpu-prof DIR] [--source] [--node-options "--max-semi-space-size=4" (the default)]`;

export function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      ops: { type: 'string', default: '200' },
      users: { type: 'string', default: '20' },
      'hot-ops': { type: 'string', default: '200' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '50' },
      'accept-users': { type: 'string', default: '200' },
      blocks: { type: 'string', default: '50' },
      'block-interval': { type: 'string', default: '100' },
      pending: { type: 'string', default: '1000' },
      'status-small': { type: 'string', default: '1000' },
      'status-large': { type: 'string', default: '1000000' },
      'log-level': { type: 'string', default: 'info' },
      out: { type: 'string', default: 'bench/results/latest.json' },
      phases: { type: 'string', default: PHASES.join(',') },
      'cpu-prof': { type: 'string' },
      source: { type: 'boolean', default: false },
      // As the Dockerfile's NODE_OPTIONS and `npm start` set it; `--node-options ''` measures bare Node.
      'node-options': { type: 'string', default: PRODUCTION_NODE_OPTIONS },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}\n${USAGE}`);
    return n;
  };
  const phases = String(values.phases)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = phases.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`unknown phase ${unknown.join(', ')}; known: ${PHASES.join(', ')}`);
  const flags: Flags = {
    ops: int('ops', 1),
    users: int('users', 1),
    hotOps: int('hot-ops', 1),
    duration: int('duration', 1),
    warmup: int('warmup', 0),
    connections: int('connections', 1),
    acceptUsers: int('accept-users', 1),
    blocks: int('blocks', 1),
    blockIntervalMs: int('block-interval', 1),
    pending: int('pending', 1),
    statusSmall: int('status-small', 1),
    statusLarge: int('status-large', 1),
    logLevel: String(values['log-level']),
    out: String(values.out),
    phases: phases as Phase[],
    cpuProf: values['cpu-prof'] === undefined ? undefined : resolve(String(values['cpu-prof'])),
    source: values.source === true,
    nodeOptions: values['node-options'] ? String(values['node-options']) : undefined,
  };
  if (flags.users > flags.ops) throw new Error('--users must not exceed --ops');
  if (flags.statusLarge < flags.statusSmall) throw new Error('--status-large must be at least --status-small');
  return flags;
}
