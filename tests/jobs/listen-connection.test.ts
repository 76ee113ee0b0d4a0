// A worker process hears status changes on one LISTEN connection, shared by the inclusion tracker and
// the status waiter its jobs block on (graphile-worker's own LISTEN, on its pool, is not ours).
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { STATUS_CHANNEL } from '../../src/status/transition.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('listens on the status channel on one connection, its tracker leading and its waiter running', async () => {
  const worker = t.worker!;
  for (let i = 0; worker.tracker.knownHead() === undefined; i++) {
    if (i > 200) throw new Error('the tracker did not start leading');
    await sleep(50);
  }
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid() and query = ${`listen ${STATUS_CHANNEL}`}`.execute(t.ctx.db);
  expect(rows[0].n).toBe(1);
});
