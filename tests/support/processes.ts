// Chronos as separate processes (`chronos worker`, `chronos api`), for tests that kill them.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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
