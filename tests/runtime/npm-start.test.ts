// `npm start` as a newcomer runs it: bin/chronos.js start as a real child process with nothing
// configured, in a folder of its own (CHRONOS_HOME, own ports, so neither the checkout's .chronos nor
// the shared test stack is touched). One instance is started and shared: a second start in the same
// home and a start on its busy port are refused, the demo client's rotated secrets reach dev.json,
// and Ctrl-C — SIGINT to the whole process group, as a terminal sends it — ends it cleanly; a second
// instance then checks what the next start resumes with.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePorts } from '../../src/dev/free-port.js';
import { runChronosCli } from '../support/cli.js';
import type { DevFile } from '../../src/runtime/home.js';
import { createPublicClient, http, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chronosPaymasterAbi } from '../../src/chain/contracts/abi.js';

const BIN = join(process.cwd(), 'bin', 'chronos.js');
const START_TIMEOUT_MS = 150_000;

let folder: string;
let home: string;
let env: Record<string, string>;
let chronos: Started;
let apiPort: number;
/** What the DATABASE_URL rotation test leaves for the next-start test. */
const rotatedElsewhere = {} as { before: DevFile['demoClient']; clientSecret: string; webhookSecret: string };

type Started = { child: ChildProcess; output(): string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

/**
 * `chronos start` in a process group of its own, like a shell's foreground job, once its banner is out.
 * `viaNpm` runs the README's own command, `npm start` from the checkout (CHRONOS_HOME keeps its state in
 * the temp folder), so that npm's part in a Ctrl-C — it forwards the signal too — is tested as well.
 */
async function start({ viaNpm = false } = {}): Promise<Started> {
  const child = viaNpm
    ? spawn('npm', ['start', '--silent'], { cwd: process.cwd(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [BIN, 'start'], { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => {
    output += d;
  });
  child.stderr!.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!output.includes('Chronos is running')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`chronos start did not come up:\n${output.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, output: () => output, exited };
}

/** Ctrl-C in the terminal: SIGINT to the whole process group. */
async function interrupt(started: Started) {
  process.kill(-started.child.pid!, 'SIGINT');
  return started.exited;
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'chronos-start-'));
  home = join(folder, '.chronos');
  const [api, postgres, chain, bundler] = await getFreePorts(4);
  apiPort = api;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: folder,
    CHRONOS_HOME: home,
    LOG_LEVEL: 'info',
    PORT: String(api),
    EMBEDDED_POSTGRES_PORT: String(postgres),
    EMBEDDED_CHAIN_PORT: String(chain),
    EMBEDDED_BUNDLER_PORT: String(bundler),
  };
  chronos = await start({ viaNpm: true });
}, START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  // Only when an assertion failed before its Ctrl-C: never leave the stack running.
  if (chronos?.child.exitCode === null && chronos.child.signalCode === null) {
    process.kill(-chronos.child.pid!, 'SIGTERM');
    await chronos.exited;
  }
  // As root the cluster lives outside the (0700) temp folder, linked from it: remove both.
  if (existsSync(join(home, 'postgres'))) await rm(realpathSync(join(home, 'postgres')), { recursive: true, force: true });
  await rm(folder, { recursive: true, force: true });
});

/** The Chronos process itself (under `npm start`, a child of npm), as its lock file records it. */
const chronosPid = () => (JSON.parse(readFileSync(join(home, 'chronos.lock'), 'utf8')) as { pid: number }).pid;

const devFile = () => JSON.parse(readFileSync(join(home, 'dev.json'), 'utf8')) as DevFile;

/** `chronos start` once more, to be refused: its exit code and the lines it wrote to stderr. */
function startAgain(extra: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'chronos-start-'));
  const result = spawnSync(process.execPath, [BIN, 'start'], { cwd, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stderr: result.stderr.trim().split('\n') };
}

async function tokenStatus(clientId: string, clientSecret: string): Promise<number> {
  const response = await fetch(`${devFile().apiUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId, clientSecret }),
  });
  return response.status;
}

describe('npm start with nothing configured', () => {
  it('serves the API on loopback only, as dev.json says', () => {
    expect(devFile().apiUrl).toBe(`http://127.0.0.1:${apiPort}`);
    // /proc/net/tcp: local address 0100007F is 127.0.0.1; state 0A is LISTEN.
    const listeners = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .map((row) => row.trim().split(/\s+/))
      .filter((fields) => fields[3] === '0A' && parseInt(fields[1]?.split(':')[1] ?? '', 16) === apiPort)
      .map((fields) => fields[1].split(':')[0]);
    expect(listeners).toEqual(['0100007F']);
  });

  it('sponsors with its own paymaster: deployed, funded, trusting the signer key kept in secrets.json, no paymaster service', async () => {
    const dev = devFile();
    expect(dev.paymasterUrl).toBeNull();
    const { paymasterSignerKey } = JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8')) as { paymasterSignerKey: Hex };
    const client = createPublicClient({ transport: http(dev.rpcUrl) });
    const read = <F extends 'verifyingSigner' | 'getDeposit'>(functionName: F) =>
      client.readContract({ address: dev.paymaster, abi: chronosPaymasterAbi, functionName });
    expect(await read('verifyingSigner')).toBe(privateKeyToAccount(paymasterSignerKey).address);
    expect(await read('getDeposit')).toBeGreaterThan(0n);
  });

  it('when started again in the same folder, says another one is running and exits non-zero', () => {
    const { status, stderr } = startAgain({ PORT: '0' });
    expect(status).toBe(1);
    expect(stderr).toEqual([
      `chronos: another chronos start is already running in ${home} (pid ${chronosPid()}): stop it first, or give a second one its own CHRONOS_HOME and ports`,
    ]);
  });

  it('when its API port is taken, exits non-zero with one line naming the port, its holder and PORT', () => {
    const { status, stderr } = startAgain({ CHRONOS_HOME: mkdtempSync(join(tmpdir(), 'chronos-start-home-')) });
    expect(status).toBe(1);
    expect(stderr).toEqual([
      `chronos: port ${apiPort} is already in use by node chronos.js (pid ${chronosPid()}): stop that process, or set PORT to another port`,
    ]);
  });

  it("when the demo client's secrets are rotated, dev.json holds the new ones and they work", async () => {
    const before = devFile().demoClient;
    const rotated = await runChronosCli(['clients', 'rotate-secret', before.clientId, '--json'], { CHRONOS_HOME: home });
    expect(rotated.code).toBe(0);
    expect(devFile().demoClient.clientSecret).toBe(rotated.json.clientSecret);
    expect(await tokenStatus(before.clientId, rotated.json.clientSecret)).toBe(200);
    expect(await tokenStatus(before.clientId, before.clientSecret)).toBe(401);

    const webhook = await runChronosCli(['clients', 'rotate-webhook-secret', before.clientId, '--json'], { CHRONOS_HOME: home });
    expect(webhook.code).toBe(0);
    expect(devFile().demoClient).toEqual({ ...before, clientSecret: rotated.json.clientSecret, webhookSecret: webhook.json.webhookSecret });
  });

  it('when rotated through DATABASE_URL instead, dev.json cannot follow (the next start puts that right)', async () => {
    rotatedElsewhere.before = devFile().demoClient;
    // As against any deployment: the CLI cannot know that this database belongs to an embedded folder.
    const viaUrl = { DATABASE_URL: devFile().databaseUrl };
    const secret = await runChronosCli(['clients', 'rotate-secret', rotatedElsewhere.before.clientId, '--json'], viaUrl);
    const webhook = await runChronosCli(['clients', 'rotate-webhook-secret', rotatedElsewhere.before.clientId, '--json'], viaUrl);
    expect([secret.code, webhook.code]).toEqual([0, 0]);
    rotatedElsewhere.clientSecret = secret.json.clientSecret;
    rotatedElsewhere.webhookSecret = webhook.json.webhookSecret;
    expect(devFile().demoClient).toEqual(rotatedElsewhere.before);
  });

  it('on Ctrl-C drains, stops every part it started, logs "shut down cleanly" and exits 0', async () => {
    const lockFile = join(home, 'chronos.lock');
    const lock = existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as { children: { name: string; pid: number }[] }) : undefined;
    expect(await interrupt(chronos)).toEqual({ code: 0, signal: null });
    const output = chronos.output();
    expect(output).toContain('"msg":"shut down cleanly"');
    expect(output).not.toContain('connection lost');
    expect(output).not.toContain('second signal'); // npm's forwarded copy of the same Ctrl-C is not a second one
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
    // The processes it ran in their own groups (the lock names them) are gone, and so is the lock.
    expect(lock?.children.map((c) => c.name)).toEqual(['postgres', 'anvil']);
    const alive = lock!.children.filter(({ pid }) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(existsSync(lockFile)).toBe(false);
  }, 60_000);

  it(
    'on the next start, dev.json and the banner hold secrets that are valid now',
    async () => {
      const { before } = rotatedElsewhere;
      chronos = await start();
      const now = devFile().demoClient;
      // The webhook secret is read back; a client secret is stored hashed, so a new one was issued.
      expect(now).toEqual({ ...before, clientSecret: expect.stringMatching(/^sk_/), webhookSecret: rotatedElsewhere.webhookSecret });
      expect(now.clientSecret).not.toBe(before.clientSecret);
      expect(chronos.output()).toContain(`clientSecret   ${now.clientSecret}`);
      expect(chronos.output()).toContain(`webhookSecret  ${now.webhookSecret}`);
      expect(await tokenStatus(before.clientId, now.clientSecret)).toBe(200);
      expect(await tokenStatus(before.clientId, rotatedElsewhere.clientSecret)).toBe(401);
      expect(await interrupt(chronos)).toEqual({ code: 0, signal: null });
    },
    START_TIMEOUT_MS + 30_000,
  );
});
