// The listing's pages are index range reads at scale (migration 0018): 100,000 rows over several
// clients, written with generate_series, then the planner's choice for the statements
// listClientTransactions runs. Asserted by index name and by the absence of a sort, which is what
// stays true whatever the exact costs are.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { insertTransactionRows } from '../support/transaction-rows.js';
import { transactionPageQuery, type TransactionFilter, type TransactionPosition } from '../../src/db/transaction-list.js';

let t: TestApp;
let clientId: string;
let deep: TransactionPosition;
beforeAll(async () => {
  t = await createTestApp();
  const clients = await Promise.all([0, 1, 2, 3].map(() => t.createClient()));
  clientId = clients[0].clientId;
  // user-7 is a busy user: half the rows. With 50 rows like the others, a page 20,000 rows deep left
  // it about ten, and the planner chose, from run to run, between the index in order and sorting those
  // ten: a close call on a trivial page, not the scale this file is about.
  const users = [...Array.from({ length: 500 }, (_, i) => `user-${i}`), ...Array.from({ length: 500 }, () => 'user-7')];
  const statuses = ['CONFIRMED', 'CONFIRMED', 'CONFIRMED', 'FAILED', 'REVERTED', 'EXPIRED', 'SUBMITTED'];
  for (const client of clients) {
    await insertTransactionRows(t.ctx.pool, {
      clientId: client.clientId,
      count: 25_000,
      stepMs: 1000,
      users,
      statuses,
      types: ['mint', 'transfer', 'claim', 'payout'],
    });
  }
  await t.ctx.pool.query('analyze transactions');
  const { rows } = await t.ctx.pool.query<{ created_at: string; id: string }>(
    `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at, id from transactions
     where client_id = $1 order by created_at desc, id desc offset 20000 limit 1`,
    [clientId],
  );
  deep = { createdAt: rows[0].created_at, id: rows[0].id };
}, 120_000);
afterAll(() => t.close());

async function planOf(filter: Omit<TransactionFilter, 'clientId'>, after?: TransactionPosition): Promise<string> {
  const rows = await transactionPageQuery(t.ctx.db, { clientId, ...filter, after, limit: 21 }).explain();
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('the transaction listing at 100,000 rows', () => {
  it.each([
    ['a first page', {}, undefined, 'transactions_client_listing'],
    ['a page 20,000 rows deep', {}, 'deep', 'transactions_client_listing'],
    ['one user', { userId: 'user-7' }, undefined, 'transactions_client_user_listing'],
    ['one user, deep', { userId: 'user-7' }, 'deep', 'transactions_client_user_listing'],
    [
      'several statuses and a type in a window',
      { statuses: ['FAILED', 'EXPIRED'], types: ['transfer'], createdBefore: new Date(Date.now() - 3_600_000) },
      undefined,
      'transactions_client_listing',
    ],
  ] as const)('reads %s through an index in listing order, without a sort', async (_name, filter, after, index) => {
    const plan = await planOf(filter as Omit<TransactionFilter, 'clientId'>, after ? deep : undefined);
    expect(plan).toContain(`Index Scan using ${index} on transactions`);
    expect(plan).not.toMatch(/\bSort\b/);
  });
});
