// Plain numbered SQL migrations, append-only. Each runs in a transaction that first claims its
// row, so two processes migrating at once cannot both apply one; graphile-worker's own schema follows.
import { readdir, readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { Logger, runMigrations } from 'graphile-worker';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');

export type MigrationResult = { applied: string[] };

export async function migrate(pool: pg.Pool, { dir = MIGRATIONS_DIR } = {}): Promise<MigrationResult> {
  await pool.query(`create table if not exists chronos_migrations (
    id text primary key, applied_at timestamptz not null default now())`);
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  for (const file of files) {
    const client = await pool.connect();
    try {
      await client.query('begin');
      // Serialise migrators: the loser waits here, then sees the row and skips.
      await client.query('select pg_advisory_xact_lock(7243510)');
      const claimed = await client.query('insert into chronos_migrations (id) values ($1) on conflict do nothing', [file]);
      if (claimed.rowCount === 1) {
        await client.query(await readFile(join(dir, file), 'utf8'));
        applied.push(file);
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
    } finally {
      client.release();
    }
  }
  await runMigrations({ pgPool: pool, logger: silentLogger() });
  return { applied };
}

function silentLogger(): Logger {
  return new Logger(() => () => {});
}
