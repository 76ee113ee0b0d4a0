// A worker process hears status changes on one LISTEN connection, shared by the inclusion tracker and
// the status waiter its jobs block on (graphile-worker's own LISTEN, on its pool, is not ours). That
// connection comes back by itself when it is lost, and says so: what was notified meanwhile is gone.
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { STATUS_CHANNEL } from '../../src/db/transaction-status.js';
import { createNotifications } from '../../src/db/notifications.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true });
});
afterAll(() => t.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(20);
  }
}
const listeners = async (channel: string) =>
  (
    await sql<{ pid: number }>`select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query = ${`listen ${channel}`}`.execute(t.ctx.db)
  ).rows;

it('listens on the status channel on one connection, its tracker leading and its waiter running', async () => {
  await eventually('the tracker leads', () => t.worker!.tracker.knownHead() !== undefined);
  expect(await listeners(STATUS_CHANNEL)).toHaveLength(1);
});

it('fans each notification out to its subscribers, and after losing its connection listens again and reports the gap', async () => {
  const channel = 'chronos_test_notifications';
  const notifications = createNotifications(t.ctx, { channels: [channel] });
  const heard: (string | undefined)[][] = [[], []];
  let gaps = 0;
  notifications.subscribe(channel, { onNotify: (payload) => heard[0].push(payload), onGap: () => gaps++ });
  notifications.subscribe(channel, { onNotify: (payload) => heard[1].push(payload) });
  await notifications.start();
  try {
    await sql`select pg_notify(${channel}, 'one')`.execute(t.ctx.db);
    await eventually('both subscribers hear it', () => heard.every((h) => h.includes('one')));

    const [listener] = await listeners(channel);
    await sql`select pg_terminate_backend(${listener.pid})`.execute(t.ctx.db);
    await eventually('it listens again, telling its subscribers', () => gaps === 1);
    expect(await listeners(channel)).toHaveLength(1);
    await sql`select pg_notify(${channel}, 'two')`.execute(t.ctx.db);
    await eventually('both subscribers hear the next one', () => heard.every((h) => h.includes('two')));
  } finally {
    await notifications.stop();
  }
  expect(await listeners(channel)).toHaveLength(0);
});
