// The embedded default and the tests need an ERC-4337 bundler against the local chain; this runs
// Pimlico's alto from node_modules as a child process, tuned for a chain that mines on every
// transaction (anvil automine), where alto's defaults (1 s bundling and block polling) dominate latency.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Hex } from 'viem';
import { entryPoint07Address } from 'viem/account-abstraction';
import { captureTail, stopChild, terminateOnParentExit, waitForJsonRpc } from './anvil.js';

export type Bundler = { url: string; process: ChildProcess; stop: () => Promise<void> };

/** Operations of one sender (distinct nonce keys) alto keeps at once: above MAX_PARALLEL_OPS_PER_ACCOUNT's default, with room for re-sends. */
export const EMBEDDED_MAX_PARALLEL_OPS = 64;

export type StartBundlerParameters = {
  rpcUrl: string;
  port: number;
  /** Each executor sends about one bundle per block; several keys let bundles go out in parallel. */
  executorPrivateKeys: readonly Hex[];
  /** Deploys alto's simulation contracts at startup; must differ from the executors. */
  utilityPrivateKey: Hex;
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** EntryPoints to serve; EntryPoint v0.7 by default. */
  entryPoints?: readonly Hex[];
  /** Extra alto flags, appended last so they override the defaults below. */
  extraArgs?: readonly string[];
  /** In a process group of its own, so a terminal's Ctrl-C reaches only us and we stop alto after draining. */
  detached?: boolean;
};

const require = createRequire(import.meta.url);

/**
 * Preloaded into alto. It exits when our IPC channel closes, so a crashed parent leaves no bundler
 * behind; and it turns alto's hard-coded `listen({ host: '0.0.0.0' })` into loopback only.
 */
const ALTO_PRELOAD = `data:text/javascript,${encodeURIComponent(`
import net from 'node:net';
process.on('disconnect', () => process.exit(0));
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (options, ...rest) {
  if (options && typeof options === 'object' && options.host === '0.0.0.0') options = { ...options, host: '127.0.0.1' };
  return listen.call(this, options, ...rest);
};
`)}`;

/** alto's package exports only `esm/index.js`; its CLI sits next to it. */
export function altoCliPath(): string {
  return join(dirname(require.resolve('@pimlico/alto')), 'cli', 'alto.js');
}

/** Starts alto and resolves once it answers `eth_chainId`, i.e. its startup deployments are done. */
export async function startBundler({
  rpcUrl,
  port,
  executorPrivateKeys,
  utilityPrivateKey,
  logLevel = 'warn',
  entryPoints = [entryPoint07Address],
  extraArgs = [],
  detached = false,
}: StartBundlerParameters): Promise<Bundler> {
  if (executorPrivateKeys.length === 0) throw new Error('startBundler needs at least one executor private key');
  const args = [
    '--import',
    ALTO_PRELOAD,
    altoCliPath(),
    '--entrypoints',
    entryPoints.join(','),
    '--rpc-url',
    rpcUrl,
    '--port',
    String(port),
    '--executor-private-keys',
    executorPrivateKeys.join(','),
    '--utility-private-key',
    utilityPrivateKey,
    // anvil has no debug_traceCall tracer for the ERC-7562 rules.
    '--safe-mode',
    'false',
    '--deploy-simulations-contract',
    'true',
    // Block time (ms) drives alto's block/receipt polling (a quarter of it) and its frontrun re-checks.
    '--block-time',
    '100',
    '--min-bundle-interval',
    '20',
    '--max-bundle-interval',
    '100',
    // One busy account's operations run in parallel, each on its own nonce key (MAX_PARALLEL_OPS_PER_ACCOUNT):
    // let alto hold that many per sender and put several of one sender in a bundle.
    '--mempool-max-parallel-ops',
    String(EMBEDDED_MAX_PARALLEL_OPS),
    '--enforce-unique-senders-per-bundle',
    'false',
    // Dev keys hold plenty of ETH: no balance timers, no refill transactions.
    '--refilling-wallets',
    'false',
    '--utility-wallet-monitor',
    'false',
    '--log-level',
    logLevel,
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: altoEnvironment(),
    detached,
  });
  // The IPC channel only tells alto when we die; it must not keep us alive.
  child.channel?.unref();
  terminateOnParentExit(child);
  const output = captureTail(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForJsonRpc(url, child, output);
  } catch (error) {
    await stopChild(child, 1000);
    throw new Error(`alto did not start on ${url}: ${(error as Error).message}`, { cause: error });
  }
  return { url, process: child, stop: () => stopChild(child, 3000) };
}

/**
 * alto reads `.env` from its working directory and every `ALTO_*` variable as a flag; neither may leak
 * in from the project's environment. Sentry would report to whatever DSN is set, and loaders in
 * NODE_OPTIONS (ours run TypeScript) only slow its start.
 */
function altoEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('ALTO_') || name === 'SENTRY_DSN' || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  env.DOTENV_CONFIG_PATH = '/dev/null';
  return env;
}
