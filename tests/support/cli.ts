// Runs the `chronos` command as an operator would, capturing its output (and its one JSON object).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { collectOutput } from './processes.js';

export type CliRun = { code: number | null; stdout: string; stderr: string; json: Record<string, any> };

export type CliRunOptions = {
  /** The folder it runs in (default: the checkout), e.g. one holding a `.chronos/dev.json`. */
  cwd?: string;
};

export function runChronosCli(args: string[], env: Record<string, string | undefined>, { cwd = process.cwd() }: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), ...args], {
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      cwd,
    });
    const output = collectOutput(child);
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, any> = {};
      try {
        json = JSON.parse(output.stdout());
      } catch {
        /* not JSON */
      }
      resolve({ code, stdout: output.stdout(), stderr: output.stderr(), json });
    });
  });
}
