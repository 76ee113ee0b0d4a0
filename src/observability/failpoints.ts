// Crash points for fault tests: CHRONOS_FAILPOINTS=after-userop-stored,after-userop-sent makes the
// process die (SIGKILL, no cleanup) exactly there, as a power cut would. Unset in normal operation.
// Each name marks one moment; tests/jobs/crash-safety.test.ts and crash-points.test.ts kill there.
export type Failpoint =
  /** submit_transaction: the signed UserOperation is stored, not yet sent. */
  | 'after-userop-stored'
  /** submit_transaction: the bundler took the UserOperation, SUBMITTED not yet recorded. */
  | 'after-userop-sent'
  /** submit_transaction: SUBMITTED is committed. */
  | 'after-submitted'
  /** submit_transaction: the no-op replacement is stored, not yet sent. */
  | 'after-replacement-stored'
  /** submit_transaction: the replacement was sent. */
  | 'after-replacement-sent'
  /** Settlement: logs read and the final status written, not yet committed. */
  | 'before-settlement-commit'
  /** Settlement with CONFIRMATIONS / CONFIRM_AT: an inclusion not deep enough yet recorded, not yet committed. */
  | 'before-inclusion-record-commit'
  /** A terminal status (and its webhook event) committed, nothing after it done yet. */
  | 'after-terminal-status'
  /** API: the accepted batch committed, the 202 not yet sent. */
  | 'after-accept-commit'
  /** Worker heartbeat: stale heartbeats removed (and, since they commit together, their jobs unlocked). */
  | 'after-stale-workers-removed';

export function failpoint(name: Failpoint): void {
  const armed = process.env.CHRONOS_FAILPOINTS;
  if (armed?.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
