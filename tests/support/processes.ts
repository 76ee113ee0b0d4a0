// Chronos as separate processes (`chronos worker`, `chronos api`), for tests that kill them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { getFreePorts } from '../../src/dev/free-port.js';

export type ChronosProcess = { child: ChildProcess; output(): string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

export function spawnChronos(role: 'worker' | 'api' | 'start', env: Record<string, string>): ChronosProcess {
  const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), role], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: output.all, exited };
}

export async function stopChronos(p: ChronosProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

export type ApiProcess = ChronosProcess & { url: string };

/**
 * `count` `chronos api` processes on the database of `env` (e.g. a TestApp's), each on a free port of
 * its own and serving when this returns; for tests where only the database can decide between
 * processes. CHRONOS_TEST_API_LOG_LEVEL (default warn) shows more of what they log. If one does not
 * come up, those already started are stopped.
 */
export async function startApiProcesses(env: Record<string, string>, count: number): Promise<ApiProcess[]> {
  const started: ApiProcess[] = [];
  try {
    for (const port of await getFreePorts(count)) {
      const url = `http://127.0.0.1:${port}`;
      const p = spawnChronos('api', { ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: process.env.CHRONOS_TEST_API_LOG_LEVEL ?? 'warn' });
      started.push({ ...p, url });
      await waitUntilServing(`${url}/healthz`, { output: p.output });
    }
  } catch (error) {
    await Promise.all(started.map(stopChronos));
    throw error;
  }
  return started;
}

/** What a child process writes, as it arrives: stdout, stderr, and both interleaved. */
export function collectOutput(child: ChildProcess): { stdout(): string; stderr(): string; all(): string } {
  let stdout = '';
  let stderr = '';
  let all = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
    all += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
    all += d;
  });
  return { stdout: () => stdout, stderr: () => stderr, all: () => all };
}

/** Polls `url` until it answers 200 (the process has started). */
export async function waitUntilServing(url: string, { timeoutMs = 60_000, output }: { timeoutMs?: number; output?: () => string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms${output ? `; output:\n${output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
