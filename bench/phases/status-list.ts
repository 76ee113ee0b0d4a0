// The filtered listing at the status-read phase's two sizes, GET /transactions read two ways:
//  - as a reconciliation client reads it: every CONFIRMED transfer, newest first, 50 a page, one
//    cursor after another. Each request is the page after a random stored row, since a client walking
//    the whole listing reaches every place in it in turn; the page is full at both sizes.
//  - as a support view reads one user's: the same filter and userId, for a random user among those
//    present. Rows are spread over BULK_USERS users, so this page holds 50 rows at 1,000,000 stored
//    (100 per user) but 1 at 1,000: it shows the per-user index at scale, not a like-for-like pair.
// The EXPLAIN is of the route's own statement (transactionPageQuery), not a copy of it.
import type pg from 'pg';
import { createDb } from '../../src/db/connect.js';
import { transactionPageQuery, type TransactionFilter, type TransactionPosition } from '../../src/db/transaction-list.js';
import type { LoadRequest } from '../load.js';
import { idOf, userOf } from './status-rows.js';

export const LIST_LIMIT = 50;
const LIST_QUERY = `status=CONFIRMED&type=transfer&limit=${LIST_LIMIT}`;
const LIST_FILTER = { statuses: ['CONFIRMED'], types: ['transfer'] } satisfies Omit<TransactionFilter, 'clientId'>;

export type ListPlans = { page: string; userPage: string };

/**
 * Positions of random rows, to page after. Sampled once from the database: a cursor holds
 * created_at to the microsecond, which only Postgres knows. From row LIST_LIMIT + 1 on, so that at
 * 1,000 stored too every page has 50 older rows to show.
 */
export async function samplePositions(pool: pg.Pool, stored: number, count = 10_000): Promise<TransactionPosition[]> {
  const first = Math.min(stored, LIST_LIMIT + 1);
  return positionsOf(
    pool,
    Array.from({ length: count }, () => idOf(first + Math.floor(Math.random() * (stored - first + 1)))),
  );
}

export function randomPages(token: string, positions: readonly TransactionPosition[]): () => LoadRequest {
  const headers = { authorization: `Bearer ${token}` };
  const cursors = positions.map(cursorOf);
  return () => ({ method: 'GET', path: `/api/v1/transactions?${LIST_QUERY}&cursor=${cursors[Math.floor(Math.random() * cursors.length)]}`, headers });
}

/** A random row's user: every user present, weighted by how many rows they have (all the same here, at most one apart). */
export function randomUserPages(token: string, stored: number): () => LoadRequest {
  const headers = { authorization: `Bearer ${token}` };
  return () => ({ method: 'GET', path: `/api/v1/transactions?userId=${userOf(1 + Math.floor(Math.random() * stored))}&${LIST_QUERY}`, headers });
}

/** The two statements the list loads make, as Postgres runs them: the page after the middle row, and the middle row's user's first page. */
export async function explainList(pool: pg.Pool, clientId: string, stored: number): Promise<ListPlans> {
  const middle = Math.ceil(stored / 2);
  const [after] = await positionsOf(pool, [idOf(middle)]);
  // Only to compile the statement: never destroyed, as that would end the phase's pool.
  const db = createDb(pool);
  const plan = async (filter: Omit<TransactionFilter, 'clientId'>, position?: TransactionPosition) => {
    // The route asks one row more than the limit, to tell whether another page exists.
    const { sql, parameters } = transactionPageQuery(db, { clientId, ...LIST_FILTER, ...filter, after: position, limit: LIST_LIMIT + 1 }).compile();
    const { rows } = await pool.query(`explain (analyze, buffers, costs off) ${sql}`, [...parameters]);
    return rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  };
  return { page: await plan({}, after), userPage: await plan({ userId: userOf(middle) }) };
}

async function positionsOf(pool: pg.Pool, ids: string[]): Promise<TransactionPosition[]> {
  // The same text of created_at as the route's cursor (src/db/transaction-list.ts).
  const { rows } = await pool.query<{ id: string; created_at: string }>(
    `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_at from transactions where id = any($1::text[])`,
    [ids],
  );
  return rows.map((r) => ({ createdAt: r.created_at, id: r.id }));
}

/** The route's opaque cursor (src/http/transaction-list-view.ts); a wrong one would be answered 400, which the load counts. */
function cursorOf(position: TransactionPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`).toString('base64url');
}
