// Where Postgres spent its time during a run: pg_stat_statements (loaded in the bench cluster), reset
// before the run and read after it, for one database.
import pg from 'pg';

export type StatementStat = { query: string; calls: number; totalMs: number; meanMs: number; perCallRows: number };

export async function resetStatements(databaseUrl: string): Promise<void> {
  await withClient(databaseUrl, (c) => c.query('select pg_stat_statements_reset()'));
}

/** The top statements by total execution time (top-level and nested, e.g. inside graphile_worker.add_job). */
export async function topStatements(databaseUrl: string, limit = 12): Promise<StatementStat[]> {
  return withClient(databaseUrl, async (c) => {
    const { rows } = await c.query(
      `
      select regexp_replace(left(query, 160), '\\s+', ' ', 'g') as query, calls, total_exec_time, mean_exec_time, rows
      from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      query: r.query as string,
      calls: Number(r.calls),
      totalMs: Number(r.total_exec_time),
      meanMs: Number(r.mean_exec_time),
      perCallRows: Number(r.calls) ? Number(r.rows) / Number(r.calls) : 0,
    }));
  });
}

async function withClient<T>(databaseUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
