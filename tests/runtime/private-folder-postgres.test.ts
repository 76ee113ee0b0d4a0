// Embedded Postgres with its data under a 0700 folder, as `.chronos/` is in root's home folder. As
// root, Postgres runs as the `postgres` user, which cannot enter that folder: the cluster must come up
// anyway (it lives where that user can reach it, linked from the folder asked for) and keep its data
// across restarts. As another user the folder is simply its own.
import { mkdtempSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { getFreePort } from '../../src/dev/free-port.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded Postgres in a private folder', () => {
  const privateFolder = mkdtempSync(join(tmpdir(), 'chronos-private-')); // mkdtemp makes it 0700
  const dataDir = join(privateFolder, '.chronos', 'postgres');

  afterAll(async () => {
    await rm(realpathSync(dataDir), { recursive: true, force: true });
    await rm(privateFolder, { recursive: true, force: true });
  });

  it('starts there, and starts again on the same data', async () => {
    const port = await getFreePort();
    const first = await startEmbeddedPostgres({ dataDir, port, initdbFlags: ['--no-sync'] });
    try {
      await query(first.url, "create table kept (note text); insert into kept values ('still here')");
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'still here' }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
