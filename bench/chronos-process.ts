// Chronos under test, as the operator runs it: `chronos start | api | worker` in external mode, a child
// process of its own, so its CPU and memory are its own (and /proc/<pid>/status measures only it).
// Its logs go to a file in the bench's temp dir, at the configured level, as they would to stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Cleanup } from './cleanup.js';
import type { BenchStack } from './stack.js';
import { contractEnvironment } from '../src/chain/contracts/registry.js';
import { getFreePorts } from '../src/dev/free-port.js';

export type Role = 'start' | 'api' | 'worker';

export type ChronosProcess = {
  role: Role;
  pid: number;
  /** The API (start, api) or the ops server (worker). */
  url: string;
  logPath: string;
  /** Peak and current resident set size, from /proc/<pid>/status (kB). */
  memory(): { hwmKb: number; rssKb: number };
  stop(): Promise<void>;
};

/** Secrets of one bench run; every Chronos process of the run shares them. */
export const BENCH_SECRETS = { jwtSecret: randomBytes(32).toString('hex'), masterKey: `0x${randomBytes(32).toString('hex')}` as const };

let launched = 0;

export async function startChronos(
  cleanup: Cleanup,
  stack: BenchStack,
  {
    root,
    role,
    databaseUrl,
    rpcUrl = stack.rpcUrl,
    logLevel,
    cpuProf,
    env = {},
  }: {
    /** The folder holding bin/chronos.js: the checkout (runs src/ through tsx) or a build (bench/build.ts). */
    root: string;
    role: Role;
    databaseUrl: string;
    rpcUrl?: string;
    logLevel: string;
    /** Write a V8 CPU profile of the whole process into this directory when it exits. */
    cpuProf?: string;
    env?: Record<string, string>;
  },
): Promise<ChronosProcess> {
  const [port, metricsPort] = await getFreePorts(2);
  const logPath = join(stack.tempDir, `chronos-${role}-${++launched}.log`);
  const log = openSync(logPath, 'a');
  const profile = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const child = spawn(process.execPath, [...profile, join(root, 'bin', 'chronos.js'), role], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      BUNDLER_URL: stack.bundlerUrl,
      PAYMASTER_SIGNER_KEY: stack.paymasterSignerKey,
      CHAIN_ID: String(stack.chainId),
      ...contractEnvironment(stack),
      JWT_SECRET: BENCH_SECRETS.jwtSecret,
      MASTER_KEY: BENCH_SECRETS.masterKey,
      HOST: '127.0.0.1',
      PORT: String(port),
      // Only a worker: with METRICS_PORT set, start/api would move /metrics off `url`.
      ...(role === 'worker' && { METRICS_PORT: String(metricsPort) }),
      LOG_LEVEL: logLevel,
      SHUTDOWN_GRACE_MS: '5000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      ...env,
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  // A bench that dies without cleaning up must not leave Chronos running.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  cleanup.add(`chronos ${role}`, stop);

  const url = `http://127.0.0.1:${role === 'worker' ? metricsPort : port}`;
  try {
    await waitUntil(`chronos ${role} /healthz`, child, logPath, async () => (await fetch(`${url}/healthz`)).ok);
    // `start` and `worker`: the API (or ops port) answers before the job runner has started.
    if (role !== 'api') await waitUntil(`chronos ${role} worker heartbeat`, child, logPath, () => hasWorkerHeartbeat(databaseUrl));
  } catch (error) {
    await stop();
    throw error;
  }
  return { role, pid: child.pid!, url, logPath, memory: () => readMemory(child.pid!), stop };
}

async function waitUntil(what: string, child: ChildProcess, logPath: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what}: the process exited with ${child.exitCode ?? child.signalCode}:\n${await tail(logPath)}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms:\n${await tail(logPath)}`);
}

async function hasWorkerHeartbeat(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from worker_processes limit 1');
    return rowCount === 1;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function tail(path: string, chars = 3000): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).slice(-chars);
}

function readMemory(pid: number): { hwmKb: number; rssKb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { hwmKb: field('VmHWM'), rssKb: field('VmRSS') };
  } catch {
    return { hwmKb: 0, rssKb: 0 };
  }
}
