// A client's transactions, newest first, one keyset page at a time (GET /transactions and its export).
// Served by transactions_client_listing and transactions_client_user_listing (migration 0018): the
// client id is always the first condition, so no page ever reaches another client's rows.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Transaction, TransactionStatus } from './schema.js';

export type TransactionFilter = {
  clientId: string;
  userId?: string;
  statuses?: readonly TransactionStatus[];
  types?: readonly string[];
  /** Inclusive. */
  createdAfter?: Date;
  /** Exclusive: consecutive windows [a, b), [b, c) neither overlap nor leave a gap. */
  createdBefore?: Date;
};

/**
 * A row's place in the order. `createdAt` is Postgres's own text of the timestamp, to the
 * microsecond: a JavaScript Date keeps milliseconds only, and a cursor rounded down to the
 * millisecond would skip rows created later in that same millisecond.
 */
export type TransactionPosition = { createdAt: string; id: string };

export type ListedTransaction = Transaction & { position: TransactionPosition };

type PageParameters = TransactionFilter & { after?: TransactionPosition; limit: number };

/** Newest first, strictly after `after` in that order (keyset: stable while rows are inserted). */
export async function listClientTransactions(db: Db, params: PageParameters): Promise<ListedTransaction[]> {
  const rows = await transactionPageQuery(db, params).execute();
  return rows.map(({ position_created_at, ...tx }) => ({ ...tx, position: { createdAt: position_created_at, id: tx.id } }));
}

/** The statement listClientTransactions runs, exported so that a test can EXPLAIN it. */
export function transactionPageQuery(db: Db, params: PageParameters) {
  let query = db
    .selectFrom('transactions')
    .selectAll()
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('position_created_at'))
    .where('client_id', '=', params.clientId);
  if (params.userId !== undefined) query = query.where('user_id', '=', params.userId);
  if (params.statuses?.length) query = query.where('status', 'in', [...params.statuses]);
  if (params.types?.length) query = query.where('type', 'in', [...params.types]);
  if (params.createdAfter) query = query.where('created_at', '>=', params.createdAfter);
  if (params.createdBefore) query = query.where('created_at', '<', params.createdBefore);
  if (params.after) {
    const { createdAt, id } = params.after;
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(sql<Date>`${createdAt}::timestamptz`, id)));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(params.limit);
}
