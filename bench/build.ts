// Chronos as the Docker image runs it: compiled JavaScript (tsc -p tsconfig.build.json), started by
// bin/chronos.js with no src/ beside it, NODE_ENV=production. Built into the bench's temp dir with the
// files the image copies next to dist/ (package.json, openapi.json, migrations, contracts) linked in,
// so the measured process carries no TypeScript loader, source maps or compiler.
import { spawn } from 'node:child_process';
import { access, cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Cleanup } from './cleanup.js';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

/** Builds into a temp dir (removed by cleanup) and returns the folder holding bin/chronos.js. */
export async function buildChronos(cleanup: Cleanup): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chronos-bench-build-'));
  cleanup.add('build dir', () => rm(dir, { recursive: true, force: true }));
  const app = join(dir, 'app');
  await mkdir(join(app, 'bin'), { recursive: true });
  // The package exports no bin/ path: locate it beside its package.json.
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  const output = await run(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(app, 'dist')]);
  // tsc emits even when some other file has a type error (work in progress elsewhere); what matters
  // here is that the entry point exists.
  try {
    await access(join(app, 'dist', 'cli', 'main.js'));
  } catch {
    throw new Error(`building Chronos produced no dist/cli/main.js:\n${output.slice(-3000)}`);
  }
  await cp(join(ROOT, 'bin', 'chronos.js'), join(app, 'bin', 'chronos.js'));
  for (const name of ['package.json', 'openapi.json', 'migrations', 'contracts', 'node_modules']) {
    await symlink(join(ROOT, name), join(app, name));
  }
  return app;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', () => resolve(output));
  });
}
