// The filters GET /transactions and GET /transactions/export share, read from the query string.
// openapi.json already checked each value's type and enum; what it cannot say is checked here.
import type { Request } from 'express';
import { apiErrors } from '../app-error.js';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../statuses.js';
import { OPERATION_TYPES } from '../operations/index.js';
import type { TransactionFilter } from '../db/transaction-list.js';

/** `status=A&status=B` (repeated, as generated clients send arrays); the validator hands one value as a string. */
function listOf(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [value]).map(String);
}

function oneOf<T extends string>(name: string, values: string[] | undefined, allowed: readonly T[]): T[] | undefined {
  const unknown = values?.find((v) => !(allowed as readonly string[]).includes(v));
  if (unknown !== undefined) throw apiErrors.validation(`${name} must be one of ${allowed.join(', ')} (repeat the parameter for several), not '${unknown}'`);
  return values as T[] | undefined;
}

function instant(name: string, value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const date = new Date(text);
  // Date-only or zone-less text would be read in the server's zone: only full ISO-8601 instants.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text) || Number.isNaN(date.getTime()))
    throw apiErrors.validation(`${name} must be an ISO-8601 date-time with a zone, e.g. 2026-01-15T10:30:00Z`);
  return date;
}

export function transactionFilterOf(req: Request, clientId: string): TransactionFilter {
  const q = req.query;
  const filter: TransactionFilter = {
    clientId,
    userId: q.userId === undefined ? undefined : String(q.userId),
    statuses: oneOf<TransactionStatus>('status', listOf(q.status), TRANSACTION_STATUSES),
    types: oneOf('type', listOf(q.type), OPERATION_TYPES),
    createdAfter: instant('createdAfter', q.createdAfter),
    createdBefore: instant('createdBefore', q.createdBefore),
  };
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore)
    throw apiErrors.validation('createdAfter must be earlier than createdBefore');
  return filter;
}
