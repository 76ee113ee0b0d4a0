// The database connection of one admin command: opened after its input is checked, closed when it ends.
import { createDb, createPool, type Db } from '../db/connect.js';
import { resolveAdminEnvironment, type AdminEnvironment } from './admin-environment.js';

export async function withAdminDb<T>(work: (db: Db, env: AdminEnvironment) => Promise<T>): Promise<T> {
  const env = await resolveAdminEnvironment();
  const db = createDb(createPool({ connectionString: env.databaseUrl, max: 2 }));
  try {
    return await work(db, env);
  } finally {
    await db.destroy();
  }
}
