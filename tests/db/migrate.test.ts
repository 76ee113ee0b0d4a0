import pg from 'pg';
import { dropDatabase } from '../../src/dev/embedded-postgres.js';
import { createEmptyDatabase } from './support/empty-database.js';
import { migrate } from '../../src/db/migrate.js';
import { createPool } from '../../src/db/connect.js';
import { testStackEnv } from '../support/stack-env.js';

describe('migrations', () => {
  const name = `m_${Date.now()}`;
  let url: string;
  beforeAll(async () => {
    ({ url } = await createEmptyDatabase(name));
  });
  afterAll(() => dropDatabase(testStackEnv().pgAdminUrl, name));

  it('applies every migration exactly once even when two migrators race', async () => {
    const a = createPool({ connectionString: url, max: 2 });
    const b = createPool({ connectionString: url, max: 2 });
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const applied = [...ra.applied, ...rb.applied];
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length);
      expect((await migrate(a)).applied).toEqual([]);
      const tables = await a.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public'`);
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['clients', 'wallets', 'chronos_migrations']));
      const worker = await a.query(`select 1 from information_schema.schemata where schema_name = 'graphile_worker'`);
      expect(worker.rowCount).toBe(1);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('keeps wallet uniqueness in the database: one row per (client, user) and per address', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`insert into clients (id, name, secret_hash, webhook_secret) values ('c1', 'c', 'h', 's')`);
      await client.query(`insert into wallets (client_id, user_id, address) values ('c1', 'u', '0x1')`);
      await expect(client.query(`insert into wallets (client_id, user_id, address) values ('c1', 'u', '0x2')`)).rejects.toMatchObject({ code: '23505' });
      await expect(client.query(`insert into wallets (client_id, user_id, address) values ('c1', 'v', '0x1')`)).rejects.toMatchObject({ code: '23505' });
      await expect(
        client.query(`insert into clients (id, name, secret_hash, webhook_secret, scopes) values ('c2', 'c', 'h', 's', array['root'])`),
      ).rejects.toMatchObject({ code: '23514' });
    } finally {
      await client.end();
    }
  });
});
