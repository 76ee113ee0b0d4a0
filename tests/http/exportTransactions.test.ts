// GET /api/v1/transactions/export. Rows are written straight into this file's database; no worker
// runs, so they stay as the tests leave them.
import request from 'supertest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { insertTransactionRows } from '../support/transaction-rows.js';
import { EXPORT_PAGE_SIZE } from '../../src/http/routes/exportTransactions.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const COLUMNS = [
  'transactionId',
  'userId',
  'type',
  'status',
  'userOpHash',
  'txHash',
  'blockNumber',
  'gasUsed',
  'gasCostWei',
  'errorCode',
  'createdAt',
  'updatedAt',
];

const tokens = new Map<string, string>();
const exportOf = async (client: TestClient, query: Record<string, string | string[]> = {}) => {
  if (!tokens.has(client.clientId)) tokens.set(client.clientId, await t.tokenFor(client));
  return request(t.app)
    .get('/api/v1/transactions/export')
    .query(query)
    .set('Authorization', `Bearer ${tokens.get(client.clientId)}`)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => done(null, text));
    });
};

/** An RFC 4180 reader, written apart from the server's writer: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  while (i < text.length) {
    if (text[i] === '"' && field === '') {
      // The closing quote is the first one not doubled; skip doubled pairs as they come.
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new Error('unterminated quoted field');
        if (text[q + 1] === '"') j = q + 2;
        else {
          field = text.slice(i + 1, q).replace(/""/g, '"');
          i = q + 1;
          break;
        }
      }
    } else if (text[i] === ',') {
      endField();
      i++;
    } else if (text.startsWith('\r\n', i)) {
      endField();
      records.push(record);
      record = [];
      i += 2;
    } else {
      field += text[i++];
    }
  }
  if (field !== '' || record.length) throw new Error('the last record does not end with CRLF');
  return records;
}

describe('GET /api/v1/transactions/export', () => {
  it('streams 2,500 transactions as CSV, every one, newest first, quoted so that they parse back exactly', async () => {
    const client = await t.createClient();
    const users = ['plain', 'with,comma', 'with "quotes"', 'line\nbreak', 'cr\r\nlf', '=1+1'];
    const expected = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 2500, stepMs: 7, users, statuses: ['CONFIRMED', 'FAILED'] });
    expect(expected.length).toBeGreaterThan(4 * EXPORT_PAGE_SIZE);
    await t.ctx.pool.query(`update transactions set error_code = 'SIMULATION_FAILED', tx_hash = null where client_id = $1 and status = 'FAILED'`, [
      client.clientId,
    ]);
    await t.ctx.pool.query(
      `update transactions set tx_hash = '0x' || repeat('a', 64), block_number = 9, gas_used = 21000 where client_id = $1 and status = 'CONFIRMED'`,
      [client.clientId],
    );

    const res = await exportOf(client);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="transactions.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    const [header, ...records] = parseCsv(res.body);
    expect(header).toEqual(COLUMNS);
    expect(records.map((r) => r[0])).toEqual(expected);
    const { rows } = await t.ctx.pool.query(`select * from transactions where client_id = $1 order by created_at desc, id desc`, [client.clientId]);
    expect(records).toEqual(
      rows.map((r) => [
        r.id,
        r.user_id,
        r.type,
        r.status,
        '',
        r.tx_hash ?? '',
        r.block_number ?? '',
        r.gas_used ?? '',
        '',
        r.error_code ?? '',
        r.created_at.toISOString(),
        r.updated_at.toISOString(),
      ]),
    );
    expect(new Set(records.map((r) => r[1]))).toEqual(new Set(users));
  });

  it('streams NDJSON with the same columns, null for a missing value', async () => {
    const client = await t.createClient();
    const expected = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 1200, users: ['a"b', 'c'] });
    const res = await exportOf(client, { format: 'ndjson' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="transactions.ndjson"');
    expect(res.body.endsWith('\n')).toBe(true);
    const lines = res.body
      .slice(0, -1)
      .split('\n')
      .map((line: string) => JSON.parse(line));
    expect(lines.map((l: { transactionId: string }) => l.transactionId)).toEqual(expected);
    expect(Object.keys(lines[0])).toEqual(COLUMNS);
    expect(lines[0]).toEqual({
      transactionId: expected[0],
      userId: 'a"b',
      type: 'transfer',
      status: 'CONFIRMED',
      userOpHash: null,
      txHash: null,
      blockNumber: null,
      gasUsed: null,
      gasCostWei: null,
      errorCode: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('delivers the whole file, in order, to a client that reads slowly (the server waits for the socket to drain)', async () => {
    const client = await t.createClient();
    // About 2.5 MB: far more than the socket buffers hold, so the server's writes are refused until the client reads.
    const expected = await insertTransactionRows(t.ctx.pool, { clientId: client.clientId, count: 20_000, stepMs: 1 });
    const server = http.createServer(t.app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const token = await t.tokenFor(client);
      const text = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/api/v1/transactions/export?format=ndjson', headers: { Authorization: `Bearer ${token}` } }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            // Take one chunk, then stop reading for a few turns of the event loop.
            res.on('data', (chunk: string) => {
              body += chunk;
              res.pause();
              void nextTurn()
                .then(() => nextTurn())
                .then(() => res.resume());
            });
            res.on('end', () => resolve(body));
            res.on('error', reject);
          })
          .on('error', reject);
      });
      const lines = text.trim().split('\n');
      expect(lines.map((l) => JSON.parse(l).transactionId)).toEqual(expected);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('exports only what the filters match, with the listing’s filters', async () => {
    const client = await t.createClient();
    await insertTransactionRows(t.ctx.pool, {
      clientId: client.clientId,
      count: 1500,
      newest: new Date('2026-06-01T00:00:00Z'),
      users: ['alice', 'bob'],
      statuses: ['CONFIRMED', 'FAILED', 'EXPIRED'],
      types: ['mint', 'transfer'],
    });
    const { rows } = await t.ctx.pool.query<{ id: string }>(
      `select id from transactions where client_id = $1 and user_id = 'bob' and status in ('FAILED', 'EXPIRED') and created_at >= '2026-05-31T23:50:00Z'
       order by created_at desc, id desc`,
      [client.clientId],
    );
    expect(rows.length).toBeGreaterThan(0);
    const res = await exportOf(client, { userId: 'bob', status: ['FAILED', 'EXPIRED'], createdAfter: '2026-05-31T23:50:00Z', format: 'ndjson' });
    expect(res.status).toBe(200);
    expect(
      res.body
        .trim()
        .split('\n')
        .map((l: string) => JSON.parse(l).transactionId),
    ).toEqual(rows.map((r) => r.id));
    const none = await exportOf(client, { userId: 'nobody' });
    expect(none.body).toBe(`${COLUMNS.join(',')}\r\n`);
  });

  it('never writes another client’s transactions', async () => {
    const mine = await t.createClient();
    const theirs = await t.createClient();
    const myRows = await insertTransactionRows(t.ctx.pool, { clientId: mine.clientId, count: 700, users: ['shared-user'] });
    const theirRows = await insertTransactionRows(t.ctx.pool, { clientId: theirs.clientId, count: 700, users: ['shared-user'] });
    const [, ...records] = parseCsv((await exportOf(mine, { userId: 'shared-user' })).body);
    expect(records.map((r) => r[0])).toEqual(myRows);
    const [, ...theirRecords] = parseCsv((await exportOf(theirs)).body);
    expect(theirRecords.map((r) => r[0])).toEqual(theirRows);
  });

  it.each([
    ['an unknown status', { status: 'DONE' }, /status/],
    ['an unknown type', { type: 'swap' }, /type/],
    ['a date without a zone', { createdBefore: '2026-01-01' }, /createdBefore/],
    ['an empty window', { createdAfter: '2026-01-02T00:00:00Z', createdBefore: '2026-01-01T00:00:00Z' }, /createdAfter/],
    ['an unknown format', { format: 'xlsx' }, /format/],
    ['a listing parameter it does not take', { limit: '5' }, /limit/],
  ])('answers %s with 400 VALIDATION_ERROR as JSON, before any of the file', async (_name, query, names) => {
    const res = await exportOf(await t.createClient(), query);
    expect(res.headers['content-disposition']).toBeUndefined();
    res.body = JSON.parse(res.body);
    expectError(res, 400, 'VALIDATION_ERROR');
    expect(res.body.error).toMatch(names);
  });

  it('answers without a token with 401', async () => {
    const res = await request(t.app).get('/api/v1/transactions/export');
    expect(res.status).toBe(401);
  });
});
