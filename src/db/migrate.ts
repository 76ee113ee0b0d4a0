// Plain numbered SQL migrations, append-only. Each runs in a transaction that first claims its
// row, so two processes migrating at once cannot both apply one; graphile-worker's own schema follows.
import { readdir, readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Logger, runMigrations } from 'graphile-worker';
import { ADVISORY_LOCKS } from './advisory-locks.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export type MigrationResult = { applied: string[] };

export async function migrate(pool: pg.Pool, { dir = MIGRATIONS_DIR } = {}): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    // Serialise migrators (several processes may start at once): the others wait here, then find
    // every migration claimed and skip it.
    await client.query('select pg_advisory_lock($1, $2)', [MIGRATION_LOCK.classId, MIGRATION_LOCK.objectId]);
    await client.query(`create table if not exists chronos_migrations (
      id text primary key, applied_at timestamptz not null default now())`);
    for (const file of files) {
      try {
        await client.query('begin');
        const claimed = await client.query('insert into chronos_migrations (id) values ($1) on conflict do nothing', [file]);
        if (claimed.rowCount === 1) {
          await client.query(await readFile(join(dir, file), 'utf8'));
          applied.push(file);
        }
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
      }
    }
  } finally {
    await client.query('select pg_advisory_unlock($1, $2)', [MIGRATION_LOCK.classId, MIGRATION_LOCK.objectId]).catch(() => {});
    client.release();
  }
  await runMigrations({ pgPool: pool, logger: silentLogger() });
  return { applied };
}

const MIGRATION_LOCK = ADVISORY_LOCKS.migration;

function silentLogger(): Logger {
  return new Logger(() => () => {});
}
