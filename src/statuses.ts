// The transaction status vocabulary (README, Transaction statuses), one module every layer imports,
// from the schema up: which statuses exist, which are still moving, which are final. How a status may
// move is src/status/machine.ts; where it is written is src/status/transition.ts.
export const TRANSACTION_STATUSES = ['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** Not final yet: the worker still owns it (accept checks count these as in flight against balance and nonces). */
export const ACTIVE = ['ACCEPTED', 'SUBMITTING', 'SUBMITTED'] as const satisfies readonly TransactionStatus[];
export type ActiveStatus = (typeof ACTIVE)[number];

/** Possibly handed to the bundler already: the chain may include it at any moment (the tracker watches these). */
export const IN_FLIGHT = ['SUBMITTING', 'SUBMITTED'] as const satisfies readonly TransactionStatus[];

/** Final: nothing moves it again, and each sends exactly one webhook event. */
export const TERMINAL = ['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'] as const satisfies readonly TransactionStatus[];
export type TerminalStatus = (typeof TERMINAL)[number];

/** Final without executing anything on-chain: they give their quota units and debits back. */
export const NOT_EXECUTED = ['FAILED', 'EXPIRED'] as const satisfies readonly TerminalStatus[];

export function isTerminal(status: TransactionStatus): status is TerminalStatus {
  return (TERMINAL as readonly string[]).includes(status);
}

export function isActive(status: TransactionStatus): status is ActiveStatus {
  return (ACTIVE as readonly string[]).includes(status);
}
