import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { listClientTransactions } from '../../db/transaction-list.js';
import { transactionFilterOf } from '../transaction-filters.js';
import { decodeTransactionCursor, encodeTransactionCursor, toTransactionListItem } from '../transaction-list-view.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** The caller's transactions, newest first, filtered; never another client's (the client id is always in the query). */
export const listTransactions: Route = {
  operationId: 'listTransactions',
  handler: (ctx) => async (req, res) => {
    const filter = transactionFilterOf(req, authOf(req).client.id);
    const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
    // The validator's integer check lets `Infinity` through (Infinity % 1 is NaN, not 0).
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw apiErrors.validation(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const after = req.query.cursor === undefined ? undefined : decodeTransactionCursor(String(req.query.cursor));
    // One row more than asked tells whether another page exists.
    const rows = await listClientTransactions(ctx.db, { ...filter, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      success: true,
      data: { transactions: page.map(toTransactionListItem), cursor: hasMore ? encodeTransactionCursor(page[page.length - 1]) : null, hasMore },
    });
  },
};
