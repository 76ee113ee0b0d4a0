import { createPool } from '../../../db/connect.js';
import { migrate } from '../../../db/migrate.js';
import { resolveAdminEnvironment } from '../../admin-environment.js';
import type { CommandInput } from '../../command.js';

export async function run({ out }: CommandInput): Promise<void> {
  const env = await resolveAdminEnvironment();
  const pool = createPool({ connectionString: env.databaseUrl, max: 1 });
  try {
    const { applied } = await migrate(pool);
    out.result({ applied }, [applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date']);
  } finally {
    await pool.end();
  }
}
