// A transaction as GET /transactions lists it and as its export writes it, and the listing's opaque
// cursor: base64url of "<created_at to the microsecond>|<id>", the last row's keyset position.
import type { ListedTransaction, TransactionPosition } from '../db/transaction-list.js';
import type { Transaction } from '../db/schema.js';
import { apiErrors } from '../app-error.js';
import { toTransactionView } from './transaction-view.js';

/** GET /transactions/{id}'s view plus `userId`, without `history`: a page of 100 would carry every transition of each. */
export function toTransactionListItem(tx: Transaction) {
  const { history: _history, ...view } = toTransactionView(tx, []);
  return { ...view, userId: tx.user_id };
}

/** The export's fixed columns, in order (README, Listing and exporting transactions). */
export const EXPORT_COLUMNS = [
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
] as const;
export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

export function toExportRecord(tx: Transaction): ExportRecord {
  const item = toTransactionListItem(tx);
  return {
    transactionId: item.transactionId,
    userId: item.userId,
    type: item.type,
    status: item.status,
    userOpHash: item.userOpHash,
    txHash: item.txHash,
    blockNumber: item.blockNumber,
    gasUsed: item.gasUsed,
    gasCostWei: item.gasCostWei,
    errorCode: item.error?.code ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

const CURSOR_PATTERN = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)\|(tx_[0-9a-z]{26})$/;

export function encodeTransactionCursor(tx: ListedTransaction): string {
  return Buffer.from(`${tx.position.createdAt}|${tx.position.id}`).toString('base64url');
}

export function decodeTransactionCursor(cursor: string): TransactionPosition {
  const match = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? CURSOR_PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match || Number.isNaN(Date.parse(match[1]))) throw apiErrors.validation('cursor is malformed: pass the cursor value of a previous response unchanged');
  return { createdAt: match[1], id: match[2] };
}
