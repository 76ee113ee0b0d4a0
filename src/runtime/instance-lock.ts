// One `chronos start` per embedded folder: a second one would fight the first over the same Postgres
// data directory and chain state. The lock file holds our pid and the pids of the processes we run in
// their own process groups (anvil, Postgres): if we die without stopping them (kill -9), the next start
// finds the stale lock and stops them before starting its own.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '../dev/process-alive.js';

export type InstanceLock = {
  /** Recorded so that a later start can stop it if we die first. */
  addChild(child: { name: string; pid: number; signal: NodeJS.Signals }): Promise<void>;
  release(): Promise<void>;
};

type LockContents = { pid: number; startedAt: string; children: { name: string; pid: number; signal: NodeJS.Signals }[] };

export const lockFilePath = (home: string) => join(home, 'chronos.lock');

export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

export async function acquireInstanceLock(home: string): Promise<InstanceLock> {
  const path = lockFilePath(home);
  const contents: LockContents = { pid: process.pid, startedAt: new Date().toISOString(), children: [] };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, JSON.stringify(contents), { flag: 'wx', mode: 0o600 });
      return handle(path, contents);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const previous = await readLock(path);
    if (previous && previous.pid !== process.pid && (await isChronos(previous.pid))) {
      throw new AlreadyRunningError(
        `another chronos start is already running in ${home} (pid ${previous.pid}): stop it first, or give a second one its own CHRONOS_HOME and ports`,
      );
    }
    // Stale: its owner died without cleaning up, perhaps leaving processes behind.
    for (const child of previous?.children ?? []) await stopLeftover(child);
    await rm(path, { force: true });
  }
  throw new AlreadyRunningError(`another chronos start took ${path} at the same moment`);
}

function handle(path: string, contents: LockContents): InstanceLock {
  const write = () => writeFile(path, JSON.stringify(contents), { mode: 0o600 });
  return {
    async addChild(child) {
      contents.children.push(child);
      await write();
    },
    async release() {
      const current = await readLock(path);
      if (current?.pid === process.pid) await rm(path, { force: true });
    },
  };
}

async function readLock(path: string): Promise<LockContents | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockContents;
  } catch {
    return undefined; // missing, or half-written by a process that died mid-write: stale either way
  }
}

/** Alive and, where /proc tells, still running our entry point (a pid is reused after a reboot). */
async function isChronos(pid: number): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return command === undefined || command.includes('chronos');
}

async function stopLeftover({ name, pid, signal }: LockContents['children'][number]): Promise<void> {
  if (!isProcessAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (command !== undefined && !command.includes(name)) return; // the pid now belongs to something else
  process.kill(pid, signal);
  const deadline = Date.now() + 10_000;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
}
