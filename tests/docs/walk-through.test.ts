// The README's "Walk-through", pasted as a newcomer would: its shell blocks, taken from README.md,
// run one after another in one bash session against Chronos running as a real process (`chronos
// start` on a database of its own and the shared chain, bundler and paymaster), from a folder holding
// the `.chronos/dev.json` the blocks read. What each block prints must match the output the README
// shows under its commands (the `# …` lines right after a command; `…` stands for anything). The whole
// walk-through then runs a second time in the same folder: it must show the same results again.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { collectOutput, spawnChronos, stopChronos, type ChronosProcess } from '../support/processes.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { createRemoteActor, remote, waitUntilServing } from '../ops/support/remote.js';

type Block = { script: string; expected: string[] };

/** The bash blocks of the README's "Walk-through" section, each with the output lines it shows. */
function walkThroughBlocks(readme: string): Block[] {
  const section = readme.split(/^## Walk-through$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error('README.md has no "## Walk-through" section');
  return [...section.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map(([, script]) => {
    // A comment right under a command (or under its shown output) is output; one after a blank line explains.
    const expected: string[] = [];
    let underCommand = false;
    for (const line of script.split('\n')) {
      if (!line.startsWith('#')) underCommand = line.trim() !== '';
      else if (underCommand) expected.push(line.replace(/^# ?/, ''));
    }
    return { script, expected };
  });
}

/** `…` matches anything; everything else literally, the whole line. */
function lineMatcher(expected: string): RegExp {
  return new RegExp(
    `^${expected
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The expected lines, in order, each matched by a line of the output (other output lines may come between). */
function unmatched(output: string, expected: string[]): string[] {
  const lines = output.split('\n');
  let at = 0;
  for (const [i, line] of expected.entries()) {
    const matcher = lineMatcher(line);
    while (at < lines.length && !matcher.test(lines[at])) at++;
    if (at === lines.length) return expected.slice(i);
    at++;
  }
  return [];
}

/** Runs the blocks in one bash, as pasted into one terminal; returns each block's output. */
async function runInBash(cwd: string, blocks: Block[]): Promise<{ outputs: string[]; code: number | null; stderr: string }> {
  const marker = `--- end of block ${Math.random().toString(36).slice(2)} ---`;
  const script = blocks.map((b) => `${b.script}\necho '${marker}'\n`).join('');
  const child = spawn('bash', ['-c', script], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { outputs: output.stdout().split(`${marker}\n`), code, stderr: output.stderr() };
}

let t: TestApp;
let chronos: ChronosProcess;
let folder: string;
let blocks: Block[];

beforeAll(async () => {
  blocks = walkThroughBlocks(await readFile(join(process.cwd(), 'README.md'), 'utf8'));
  t = await createTestApp();
  const port = await getFreePort();
  chronos = spawnChronos('start', { ...t.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' });
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${apiUrl}/healthz`, { output: chronos.output });
  // The demo client `npm start` would have created: a mint signer authorized on its token, and its own certificate contract.
  const actor = await createRemoteActor(t, remote(apiUrl), { certificates: true });
  // The project folder as the blocks see it: .chronos/dev.json, and examples/ (its imports resolve
  // from the real folder, where node_modules is).
  folder = await mkdtemp(join(tmpdir(), 'chronos-walk-through-'));
  await mkdir(join(folder, '.chronos'));
  await writeFile(
    join(folder, '.chronos', 'dev.json'),
    JSON.stringify({
      apiUrl,
      chainId: t.config.chain.chainId,
      token: t.config.contracts.token,
      claimVault: t.config.contracts.claimVault,
      demoClient: { ...actor.client, signerPrivateKey: actor.signerKey, signerAddress: privateKeyToAccount(actor.signerKey).address },
    }),
  );
  await symlink(join(process.cwd(), 'examples'), join(folder, 'examples'));
}, 120_000);
afterAll(async () => {
  if (chronos) await stopChronos(chronos);
  if (folder) await rm(folder, { recursive: true, force: true });
  await t?.close();
});

describe('the README walk-through', () => {
  it('has shell blocks that show what they print: a wallet, the mint, the transfer and the claim', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const shown = blocks.flatMap((b) => b.expected);
    expect(shown).toEqual(expect.arrayContaining(['{"balance":"0"}', '{"balance":"87.5"}']));
    expect(shown.some((line) => line.includes('"status":"CONFIRMED"') && line.includes('"type":"transfer"'))).toBe(true);
  });

  it.each(['the first time', 'again, in the same folder'])(
    'prints what the README shows when pasted %s',
    async () => {
      const { outputs, code, stderr } = await runInBash(folder, blocks);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      // Every block at once, so a failure shows each block's output beside the lines it did not print.
      const results = blocks.map((block, i) => ({ block: i + 1, output: outputs[i], unmatched: unmatched(outputs[i] ?? '', block.expected) }));
      expect(results).toEqual(results.map((r) => ({ ...r, unmatched: [] })));
    },
    180_000,
  );
});
