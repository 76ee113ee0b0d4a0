// For reads that probes and scrapes may ask for many times at once (readiness, the paymaster cover).

/** `read`, but a call while one is under way gets that one's answer instead of starting another. */
export function sharedInFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  return () =>
    (running ??= read().finally(() => {
      running = undefined;
    }));
}
