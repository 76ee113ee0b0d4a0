// A new, empty database on the test stack's Postgres, for tests that migrate it themselves.
import { createDatabase } from '../../../src/dev/embedded-postgres.js';
import { testStackEnv } from '../../support/stack-env.js';

/** Creates database `name`; returns its URL and the admin URL that drops it afterwards. */
export async function createEmptyDatabase(name: string): Promise<{ url: string; admin: string }> {
  const admin = testStackEnv().pgAdminUrl;
  await createDatabase(admin, name);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), admin };
}
