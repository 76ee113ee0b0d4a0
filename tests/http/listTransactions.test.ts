// GET /api/v1/transactions. Rows are written straight into this file's database; no worker runs, so
// they stay as the tests leave them.
import request from 'supertest';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { insertTransactionRows } from '../support/transaction-rows.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const tokens = new Map<string, string>();
const list = async (client: TestClient, query: Record<string, string | number | string[]> = {}) => {
  if (!tokens.has(client.clientId)) tokens.set(client.clientId, await t.tokenFor(client));
  return request(t.app)
    .get('/api/v1/transactions')
    .query(query)
    .set('Authorization', `Bearer ${tokens.get(client.clientId)}`);
};
const ids = (res: request.Response) => res.body.data.transactions.map((tx: { transactionId: string }) => tx.transactionId);

/** Every page of a listing, following the cursor. */
async function listAll(client: TestClient, query: Record<string, string | number | string[]>, between?: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const res = await list(client, cursor ? { ...query, cursor } : query);
    expect(res.status).toBe(200);
    seen.push(...ids(res));
    if (!res.body.data.hasMore) {
      expect(res.body.data.cursor).toBeNull();
      return seen;
    }
    cursor = res.body.data.cursor;
    await between?.();
  }
}

describe('GET /api/v1/transactions', () => {
  it('lists the caller’s transactions newest first, each as GET /transactions/{id} shows it plus userId, without history', async () => {
    const client = await t.createClient();
    const [newest, older] = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 2, users: ['alice'] });
    await t.ctx.pool.query(
      `update transactions set status = 'REVERTED', user_op_hash = $2, tx_hash = $3, block_number = 77, block_hash = $4,
         gas_used = 1000, gas_cost_wei = 123456789, error_code = 'EXECUTION_REVERTED', error_message = 'the call reverted' where id = $1`,
      [older, `0x${'1'.repeat(64)}`, `0x${'2'.repeat(64)}`, `0x${'3'.repeat(64)}`],
    );

    const res = await list(client);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ success: true, data: { transactions: expect.any(Array), cursor: null, hasMore: false } });
    expect(ids(res)).toEqual([newest, older]);
    expect(res.body.data.transactions[1]).toEqual({
      transactionId: older,
      userId: 'alice',
      status: 'REVERTED',
      type: 'transfer',
      userOpHash: `0x${'1'.repeat(64)}`,
      txHash: `0x${'2'.repeat(64)}`,
      blockNumber: 77,
      includedBlock: { number: 77, hash: `0x${'3'.repeat(64)}` },
      reorgedAt: null,
      gasUsed: '1000',
      gasCostWei: '123456789',
      error: { code: 'EXECUTION_REVERTED', message: 'the call reverted' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('pages through every row exactly once, ties on created_at broken by id, at the default and a given limit', async () => {
    const client = await t.createClient();
    // Groups of rows sharing one timestamp, as one accept batch writes them.
    const expected = [
      ...(await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 15, stepMs: 0, newest: new Date('2026-03-01T00:00:00Z') })),
      ...(await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 30, stepMs: 1, newest: new Date('2026-02-01T00:00:00Z') })),
    ];
    const first = await list(client);
    expect(ids(first)).toHaveLength(20);
    expect(first.body.data.hasMore).toBe(true);
    expect(await listAll(client, {})).toEqual(expected);
    expect(await listAll(client, { limit: 7 })).toEqual(expected);
    expect(await listAll(client, { limit: 100 })).toEqual(expected);
  });

  it('keeps later pages stable while new transactions arrive: nothing repeated, nothing skipped', async () => {
    const client = await t.createClient();
    const expected = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 25, newest: new Date(Date.now() - 60_000) });
    const arrived: string[] = [];
    const seen = await listAll(client, { limit: 10 }, async () => {
      // Newer than everything listed so far: they belong above the first page, not in the next one.
      arrived.push(...(await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 3 })));
    });
    expect(seen).toEqual(expected);
    expect(arrived).toHaveLength(6);
    // A new listing shows them on top.
    const again = await listAll(client, { limit: 10 });
    expect(again.slice(0, 6).sort()).toEqual([...arrived].sort());
    expect(again.slice(6)).toEqual(expected);
  });

  it('does not skip rows created in the same millisecond as the last row of a page (the cursor keeps microseconds)', async () => {
    const client = await t.createClient();
    const [a, b, c] = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 3 });
    // Three microseconds within one millisecond: a cursor rounded to the millisecond would skip the last two.
    await t.ctx.pool.query(
      `update transactions set created_at = '2026-04-01T00:00:00.000900Z'::timestamptz - (array_position($1::text[], id) - 1) * interval '400 microseconds' where id = any($1)`,
      [[c, b, a]],
    );
    expect(await listAll(client, { limit: 1 })).toEqual([c, b, a]);
  });

  it('filters by user, by several statuses, by several types and by a half-open creation window, alone or together', async () => {
    const client = await t.createClient();
    const rows = await insertTransactionRows(t.ctx.pool, {
      clientId: client.clientId,
      count: 60,
      newest: new Date('2026-05-01T00:00:00Z'),
      stepMs: 60_000,
      users: ['alice', 'bob', 'carol'],
      statuses: ['CONFIRMED', 'FAILED', 'SUBMITTED', 'EXPIRED'],
      types: ['mint', 'transfer', 'claim', 'payout', 'transfer'],
    });
    const { rows: all } = await t.ctx.pool.query<{ id: string; user_id: string; status: string; type: string; created_at: Date }>(
      `select id, user_id, status, type, created_at from transactions where client_id = $1 order by created_at desc, id desc`,
      [client.clientId],
    );
    expect(all.map((r) => r.id)).toEqual(rows);
    const where = (keep: (r: (typeof all)[number]) => boolean) => all.filter(keep).map((r) => r.id);
    const after = new Date('2026-04-30T23:10:00Z');
    const before = new Date('2026-04-30T23:40:00Z');

    expect(await listAll(client, { userId: 'bob' })).toEqual(where((r) => r.user_id === 'bob'));
    expect(await listAll(client, { status: ['FAILED', 'EXPIRED'], limit: 4 })).toEqual(where((r) => ['FAILED', 'EXPIRED'].includes(r.status)));
    expect(await listAll(client, { status: 'SUBMITTED' })).toEqual(where((r) => r.status === 'SUBMITTED'));
    expect(await listAll(client, { type: ['claim', 'payout'] })).toEqual(where((r) => ['claim', 'payout'].includes(r.type)));
    // A row created exactly at createdAfter is in; one created exactly at createdBefore is not.
    const window = where((r) => r.created_at >= after && r.created_at < before);
    expect(window).toHaveLength(30);
    expect(await listAll(client, { createdAfter: after.toISOString(), createdBefore: before.toISOString(), limit: 8 })).toEqual(window);
    expect(await listAll(client, { createdAfter: '2026-05-01T01:10:00+02:00' })).toEqual(where((r) => r.created_at >= after));
    expect(await listAll(client, { userId: 'alice', status: ['CONFIRMED', 'SUBMITTED'], type: 'transfer', createdBefore: before.toISOString() })).toEqual(
      where((r) => r.user_id === 'alice' && ['CONFIRMED', 'SUBMITTED'].includes(r.status) && r.type === 'transfer' && r.created_at < before),
    );
    expect((await list(client, { userId: 'nobody' })).body.data).toEqual({ transactions: [], cursor: null, hasMore: false });
  });

  it('never shows another client’s transactions, not even through a cursor made from its listing', async () => {
    const mine = await t.createClient();
    const theirs = await t.createClient();
    const myRows = await insertTransactionRows(t.ctx.pool, { clientId: mine.clientId, count: 12, users: ['shared-user'] });
    const theirRows = await insertTransactionRows(t.ctx.pool, { clientId: theirs.clientId, count: 12, users: ['shared-user'] });
    expect(await listAll(mine, { limit: 5 })).toEqual(myRows);
    expect(await listAll(mine, { userId: 'shared-user' })).toEqual(myRows);
    expect(await listAll(theirs, { limit: 5 })).toEqual(theirRows);
    const theirCursor = (await list(theirs, { limit: 1 })).body.data.cursor;
    const res = await list(mine, { cursor: theirCursor });
    expect(res.status).toBe(200);
    expect(ids(res).some((id: string) => theirRows.includes(id))).toBe(false);
  });

  it.each([
    ['an unknown status', { status: 'DONE' }, /status/],
    ['a comma list of statuses', { status: 'FAILED,EXPIRED' }, /status/],
    ['an unknown type', { type: 'swap' }, /type/],
    ['a date without a zone', { createdAfter: '2026-01-01T00:00:00' }, /createdAfter/],
    ['a date that is not one', { createdBefore: 'yesterday' }, /createdBefore/],
    ['an empty window', { createdAfter: '2026-01-02T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' }, /createdAfter/],
    ['limit 0', { limit: 0 }, /limit/],
    ['limit 101', { limit: 101 }, /limit/],
    ['a forged cursor', { cursor: Buffer.from('2026-01-01|tx_x').toString('base64url') }, /cursor/],
    ['an unknown parameter', { clientId: 'client_someone_else' }, /clientId/],
  ])('answers %s with 400 VALIDATION_ERROR naming it', async (_name, query, names) => {
    const res = await list(await t.createClient(), query as Record<string, string>);
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error).toMatch(names);
  });

  it('needs any valid token and counts, with the export, against the same limit as GET /transactions/{id}', async () => {
    const client = await t.createClient({ scopes: [] });
    const token = await t.tokenFor(client);
    const get = (path: string) => request(t.app).get(path).set('Authorization', `Bearer ${token}`);
    const listed = await get('/api/v1/transactions');
    const exported = await get('/api/v1/transactions/export');
    const polled = await get('/api/v1/transactions/tx_01aaaaaaaaaaaaaaaaaaaaaaaa');
    expect([listed.status, exported.status, polled.status]).toEqual([200, 200, 404]);
    const limits = [listed, exported, polled].map((r) => r.headers['x-ratelimit-limit']);
    expect(new Set(limits).size).toBe(1);
    const remaining = [listed, exported, polled].map((r) => Number(r.headers['x-ratelimit-remaining']));
    expect(remaining).toEqual([remaining[0], remaining[0] - 1, remaining[0] - 2]);
  });

  it('answers without a token with 401', async () => {
    const res = await request(t.app).get('/api/v1/transactions');
    expect(res.status).toBe(401);
  });
});
