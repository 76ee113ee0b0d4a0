import type { Response } from 'express';
import type { Route } from '../route.js';
import { authOf } from '../request-context.js';
import { listClientTransactions, type TransactionPosition } from '../../db/transaction-list.js';
import { transactionFilterOf } from '../transaction-filters.js';
import { EXPORT_COLUMNS, toExportRecord, type ExportRecord } from '../transaction-list-view.js';

/** Rows read per query: memory stays bounded by one page, however many rows the filter matches. */
export const EXPORT_PAGE_SIZE = 500;

const FORMATS = {
  csv: { contentType: 'text/csv; charset=utf-8', header: csvLine([...EXPORT_COLUMNS]), line: (r: ExportRecord) => csvLine(EXPORT_COLUMNS.map((c) => r[c])) },
  ndjson: { contentType: 'application/x-ndjson; charset=utf-8', header: '', line: (r: ExportRecord) => `${JSON.stringify(r)}\n` },
} as const;

/** RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes doubled; null is an empty field; lines end CRLF. */
function csvLine(fields: (string | number | null)[]): string {
  return `${fields.map((f) => (f === null ? '' : /[",\r\n]/.test(String(f)) ? `"${String(f).replace(/"/g, '""')}"` : String(f))).join(',')}\r\n`;
}

/** Resolves when the socket wants more (or is gone: the caller then sees `res.destroyed`). */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** The caller's transactions matching the filters of GET /transactions, newest first, streamed page by page. */
export const exportTransactions: Route = {
  operationId: 'exportTransactions',
  handler: (ctx) => async (req, res) => {
    // Everything that can answer 400 is decided before the first byte is written.
    const filter = transactionFilterOf(req, authOf(req).client.id);
    const format = FORMATS[req.query.format === 'ndjson' ? 'ndjson' : 'csv'];
    const extension = format === FORMATS.csv ? 'csv' : 'ndjson';
    // The first page is read before the headers too, so an unreachable database is still a clean 503.
    let page = await listClientTransactions(ctx.db, { ...filter, limit: EXPORT_PAGE_SIZE });
    res.status(200);
    res.setHeader('Content-Type', format.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="transactions.${extension}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (format.header) res.write(format.header);
      for (;;) {
        for (const tx of page) {
          if (!res.write(format.line(toExportRecord(tx)))) await drained(res);
          if (res.destroyed) return; // the caller went away: stop reading
        }
        if (page.length < EXPORT_PAGE_SIZE) break;
        const after: TransactionPosition = page[page.length - 1].position;
        page = await listClientTransactions(ctx.db, { ...filter, after, limit: EXPORT_PAGE_SIZE });
      }
      res.end();
    } catch (error) {
      // The 200 is already sent: cut the connection, so that a partial file can never pass for a whole one.
      ctx.logger.error({ err: error, requestId: req.headers['x-request-id'] }, 'transaction export failed mid-stream');
      res.destroy();
    }
  },
};
