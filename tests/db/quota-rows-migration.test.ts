// Migration 0009 moves each policy's limits from a column per (type, period) to one quota row per
// limit set: a database holding policies at 0008 reads back, through src/db/policies.ts, exactly the
// limits it had, with the enabled flag and timestamps kept.
import { mkdtemp, readdir, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { dropDatabase } from '../../src/dev/embedded-postgres.js';
import { createEmptyDatabase } from './support/empty-database.js';
import { MIGRATIONS_DIR, migrate } from '../../src/db/migrate.js';
import { createDb, createPool } from '../../src/db/connect.js';
import { deletePolicy, findStoredPolicy, limitsOf, type PeriodLimits } from '../../src/db/policies.js';
import { testStackEnv } from '../support/stack-env.js';

const TYPES = ['mint', 'transfer', 'claim'] as const;
type Limits = Record<(typeof TYPES)[number], PeriodLimits>;
const periods = (daily: number | null, weekly: number | null, monthly: number | null): PeriodLimits => ({ daily, weekly, monthly });
const UNLIMITED = periods(null, null, null);

/** Policies as they were stored at 0008, by client. */
const BEFORE: { clientId: string; enabled: boolean; limits: Limits }[] = [
  { clientId: 'every-limit', enabled: true, limits: { mint: periods(1, 2, 3), transfer: periods(4, 5, 6), claim: periods(7, 8, 9) } },
  // Zero is a limit (nothing allowed), not the absence of one.
  { clientId: 'some-limits', enabled: true, limits: { mint: periods(10, null, null), transfer: periods(null, 0, 500), claim: UNLIMITED } },
  // A disabled policy keeps its limits for when it is enabled again.
  { clientId: 'disabled', enabled: false, limits: { mint: UNLIMITED, transfer: UNLIMITED, claim: periods(null, null, 2_147_483_647) } },
  { clientId: 'no-limits', enabled: true, limits: { mint: UNLIMITED, transfer: UNLIMITED, claim: UNLIMITED } },
];
const LIMITS_SET = BEFORE.flatMap(({ limits }) => Object.values(limits).flatMap((p) => Object.values(p))).filter((n) => n !== null).length;

const name = `quota_rows_${Date.now()}`;
let url: string;
let pool: pg.Pool;
let before: Map<string, { created_at: Date; updated_at: Date }>;

beforeAll(async () => {
  ({ url } = await createEmptyDatabase(name));
  pool = createPool({ connectionString: url, max: 2 });

  // The database as a deployment at 0008 has it.
  const upTo0008 = await mkdtemp(join(tmpdir(), 'chronos-migrations-'));
  try {
    for (const file of (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_.+\.sql$/.test(f) && f < '0009')) {
      await copyFile(join(MIGRATIONS_DIR, file), join(upTo0008, file));
    }
    expect((await migrate(pool, { dir: upTo0008 })).applied.at(-1)).toMatch(/^0008_/);
  } finally {
    await rm(upTo0008, { recursive: true, force: true });
  }
  for (const { clientId, enabled, limits } of BEFORE) {
    await pool.query(`insert into clients (id, name, secret_hash, webhook_secret) values ($1, $1, 'h', 's')`, [clientId]);
    const columns = TYPES.flatMap((type) => (['daily', 'weekly', 'monthly'] as const).map((period) => [`${type}_${period}`, limits[type][period]] as const));
    await pool.query(
      `insert into transaction_policies (client_id, enabled, created_at, updated_at, ${columns.map(([column]) => column).join(', ')})
       values ($1, $2, '2025-01-02T03:04:05Z', '2025-02-03T04:05:06Z', ${columns.map((_, i) => `$${i + 3}`).join(', ')})`,
      [clientId, enabled, ...columns.map(([, value]) => value)],
    );
  }
  const { rows } = await pool.query<{ client_id: string; created_at: Date; updated_at: Date }>(
    'select client_id, created_at, updated_at from transaction_policies',
  );
  before = new Map(rows.map((row) => [row.client_id, row]));

  // 0009 first, then whatever later migrations exist.
  expect((await migrate(pool)).applied[0]).toBe('0009_quota_rows.sql');
});
afterAll(async () => {
  await pool?.end();
  await dropDatabase(testStackEnv().pgAdminUrl, name);
});

describe('migration 0009: quotas as rows', () => {
  it.each(BEFORE)('reads back the limits, enabled flag and timestamps $clientId had', async ({ clientId, enabled, limits }) => {
    const policy = await findStoredPolicy(createDb(pool), clientId);
    expect(policy).toBeDefined();
    expect(limitsOf(policy!, TYPES)).toEqual(limits);
    expect(policy).toMatchObject({ client_id: clientId, enabled, ...before.get(clientId) });
  });

  it('writes one row per limit that was set, and drops the columns', async () => {
    const { rows } = await pool.query<{ count: string }>('select count(*) from transaction_quotas');
    expect(Number(rows[0].count)).toBe(LIMITS_SET);
    const columns = await pool.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_name = 'transaction_policies' order by ordinal_position`,
    );
    expect(columns.rows.map((row) => row.column_name)).toEqual(['client_id', 'enabled', 'created_at', 'updated_at']);
  });

  it('keeps the limits the columns allowed, and only those', async () => {
    const insert = (period: string, maxCount: number) =>
      pool.query(`insert into transaction_quotas (client_id, operation_type, period, max_count) values ('no-limits', 'mint', $1, $2)`, [period, maxCount]);
    await expect(insert('daily', -1)).rejects.toMatchObject({ code: '23514' });
    await expect(insert('hourly', 1)).rejects.toMatchObject({ code: '23514' });
    await insert('daily', 1);
    await expect(insert('daily', 2)).rejects.toMatchObject({ code: '23505' });
    // A quota row belongs to a policy: none without one.
    await expect(
      pool.query(`insert into transaction_quotas (client_id, operation_type, period, max_count) values ('nobody', 'mint', 'daily', 1)`),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('removes the quota rows with their policy', async () => {
    expect(await deletePolicy(createDb(pool), 'every-limit')).toBe(true);
    const { rows } = await pool.query(`select 1 from transaction_quotas where client_id = 'every-limit'`);
    expect(rows).toEqual([]);
  });
});
