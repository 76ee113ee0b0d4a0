import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

// Postgres `numeric`/`int8` come back as strings: amounts in wei do not fit a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v);

export type CreatePoolParameters = { connectionString: string; max?: number; onError?: (error: Error) => void };

/** A pg Pool that never crashes the process when an idle connection dies (e.g. Postgres restarted). */
export function createPool({ connectionString, max = 10, onError }: CreatePoolParameters): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  pool.on('error', (error) => onError?.(error));
  // A checked-out client that loses its connection emits 'error' too; unhandled, it would kill the process.
  pool.on('connect', (client) => client.on('error', (error) => onError?.(error)));
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
