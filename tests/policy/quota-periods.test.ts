// Quota periods are UTC calendar periods: the day from 00:00 UTC, the week from Monday 00:00 UTC, the
// month from the 1st. Usage is counted against an injected "now" over hand-placed transactions.
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { countQuotaUsage } from '../../src/db/policies.js';
import { newTransactionId } from '../../src/transactions/ids.js';
import type { TransactionStatus } from '../../src/db/schema.js';
import type { OperationType } from '../../src/operations/index.js';

let t: TestApp;
let clientId: string;
beforeAll(async () => {
  t = await createTestApp();
  clientId = (await t.createClient()).clientId;
});
afterAll(() => t.close());

async function place(
  userId: string,
  createdAt: string,
  { type = 'transfer', status = 'CONFIRMED' }: { type?: OperationType; status?: TransactionStatus } = {},
) {
  await t.ctx.db
    .insertInto('transactions')
    .values({
      id: newTransactionId(),
      client_id: clientId,
      user_id: userId,
      wallet_address: '0x00000000000000000000000000000000000000cc',
      type,
      status,
      params: '{}',
      created_at: createdAt,
    })
    .execute();
}

const usage = async (userId: string, at: string, type: OperationType = 'transfer') =>
  (await countQuotaUsage(t.ctx.db, { clientId, userId, types: [type], at: new Date(at) }))[type];

describe('quota periods', () => {
  it('count the UTC day, the week from Monday and the calendar month', async () => {
    // Wednesday 2025-01-15, 12:00 UTC.
    await place('calendar', '2025-01-15T00:00:00Z'); // today
    await place('calendar', '2025-01-14T23:59:59Z'); // Tuesday: this week
    await place('calendar', '2025-01-13T00:00:00Z'); // Monday 00:00: this week
    await place('calendar', '2025-01-12T23:59:59Z'); // Sunday: last week, this month
    await place('calendar', '2024-12-31T23:59:59Z'); // last month
    expect(await usage('calendar', '2025-01-15T12:00:00Z')).toEqual({ daily: 1, weekly: 3, monthly: 4 });
  });

  it('count a week that began in the previous month in the weekly period only', async () => {
    // Sunday 2025-02-02: the week began Monday 2025-01-27, the month on Saturday 2025-02-01.
    await place('straddle', '2025-01-28T10:00:00Z');
    await place('straddle', '2025-02-01T10:00:00Z');
    await place('straddle', '2025-02-02T10:00:00Z');
    expect(await usage('straddle', '2025-02-02T12:00:00Z')).toEqual({ daily: 1, weekly: 3, monthly: 2 });
  });

  it('do not depend on the session time zone', async () => {
    await place('zoned', '2025-03-10T23:30:00Z');
    // 00:30 UTC on Tuesday is already 13:30 there: a local-time period would count differently.
    await t.ctx.db.connection().execute(async (conn) => {
      await sql`set time zone 'Pacific/Auckland'`.execute(conn);
      expect((await countQuotaUsage(conn, { clientId, userId: 'zoned', types: ['transfer'], at: new Date('2025-03-11T00:30:00Z') })).transfer).toEqual({
        daily: 0,
        weekly: 1,
        monthly: 1,
      });
      await sql`reset time zone`.execute(conn);
    });
  });

  it('leave out FAILED and EXPIRED operations, and count each operation type apart', async () => {
    await place('mixed', '2025-05-05T01:00:00Z', { status: 'FAILED' });
    await place('mixed', '2025-05-05T02:00:00Z', { status: 'EXPIRED' });
    await place('mixed', '2025-05-05T03:00:00Z', { status: 'REVERTED' });
    await place('mixed', '2025-05-05T04:00:00Z', { status: 'ACCEPTED' });
    await place('mixed', '2025-05-05T05:00:00Z', { type: 'mint' });
    expect(await usage('mixed', '2025-05-05T12:00:00Z')).toEqual({ daily: 2, weekly: 2, monthly: 2 });
    expect(await usage('mixed', '2025-05-05T12:00:00Z', 'mint')).toEqual({ daily: 1, weekly: 1, monthly: 1 });
    expect(await usage('mixed', '2025-05-05T12:00:00Z', 'claim')).toEqual({ daily: 0, weekly: 0, monthly: 0 });
  });

  it('can be answered from the quota index', async () => {
    const plan = await t.ctx.db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select count(*) from transactions
        where client_id = ${clientId} and user_id = 'calendar' and type in ('transfer')
          and status not in ('FAILED', 'EXPIRED') and created_at >= now() - interval '40 days'`.execute(conn);
      await sql`reset enable_seqscan`.execute(conn);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('transactions_quota_usage');
  });
});
