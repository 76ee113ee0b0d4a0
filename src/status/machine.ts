// The transaction lifecycle (README, Transaction statuses). Status moves only forward along these edges.
// Which statuses exist and which are final: src/statuses.ts.
import type { TransactionStatus } from '../statuses.js';

export { isTerminal } from '../statuses.js';

const NEXT: Record<TransactionStatus, readonly TransactionStatus[]> = {
  ACCEPTED: ['SUBMITTING', 'FAILED', 'EXPIRED'],
  SUBMITTING: ['SUBMITTED', 'FAILED', 'EXPIRED'],
  SUBMITTED: ['CONFIRMED', 'REVERTED', 'EXPIRED', 'FAILED'],
  CONFIRMED: [],
  REVERTED: [],
  FAILED: [],
  EXPIRED: [],
};

/** The statuses from which `to` may be reached. */
export function predecessorsOf(to: TransactionStatus): TransactionStatus[] {
  return (Object.keys(NEXT) as TransactionStatus[]).filter((from) => NEXT[from].includes(to));
}
