// Crash points for fault tests: CHRONOS_FAILPOINTS=after-userop-stored,after-userop-sent makes the
// process die (SIGKILL, no cleanup) exactly there, as a power cut would. Unset in normal operation.
export type Failpoint = 'after-userop-stored' | 'after-userop-sent' | 'after-status-change';

export function failpoint(name: Failpoint): void {
  const armed = process.env.CHRONOS_FAILPOINTS;
  if (armed && armed.split(',').includes(name)) process.kill(process.pid, 'SIGKILL');
}
