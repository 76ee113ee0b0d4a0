// The transaction lifecycle (README, Transaction statuses). Status moves only forward along these edges.
import type { TransactionStatus } from '../db/schema.js';

export const TERMINAL_STATUSES = ['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'] as const satisfies readonly TransactionStatus[];
export const ACTIVE_STATUSES = ['ACCEPTED', 'SUBMITTING', 'SUBMITTED'] as const satisfies readonly TransactionStatus[];

const NEXT: Record<TransactionStatus, readonly TransactionStatus[]> = {
  ACCEPTED: ['SUBMITTING', 'FAILED', 'EXPIRED'],
  SUBMITTING: ['SUBMITTED', 'FAILED', 'EXPIRED'],
  SUBMITTED: ['CONFIRMED', 'REVERTED', 'EXPIRED', 'FAILED'],
  CONFIRMED: [],
  REVERTED: [],
  FAILED: [],
  EXPIRED: [],
};

export function isTerminal(status: TransactionStatus): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** The statuses from which `to` may be reached. */
export function predecessorsOf(to: TransactionStatus): TransactionStatus[] {
  return (Object.keys(NEXT) as TransactionStatus[]).filter((from) => NEXT[from].includes(to));
}
