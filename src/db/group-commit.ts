// Group commit: requests that arrive while a database round trip is under way wait for it to finish
// and then go together, in one batch. Nothing waits on a timer, so a lone request goes at once (no
// added latency when idle), and under load the round trips — and the commits — are shared by as many
// requests as arrived meanwhile. Each item gets its own outcome; a batch that throws fails them all.
// The queue is bounded (maxQueued): past it an item is refused at once with whenFull(), because a
// queue that only grows turns a slow database (or a flood from one client) into ever longer waits for
// everyone, and memory with no limit.

export type ItemOutcome<R> = { value: R } | { error: unknown };

export type GroupCommit<I, R> = {
  submit(item: I): Promise<R>;
  /** Items waiting or in a batch under way. */
  pending(): number;
};

export function createGroupCommit<I, R>(
  run: (items: I[]) => Promise<ItemOutcome<R>[]>,
  {
    maxBatch = 200,
    maxInFlight = 1,
    maxQueued = Infinity,
    whenFull = () => new Error('group commit: the queue is full'),
  }: {
    maxBatch?: number;
    maxInFlight?: number;
    /** Items that may wait for a batch (not counting those in one); more are refused with whenFull(). */
    maxQueued?: number;
    whenFull?: () => unknown;
  } = {},
): GroupCommit<I, R> {
  type Waiting = { item: I; resolve: (value: R) => void; reject: (error: unknown) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;
  let inBatches = 0;

  const pump = (): void => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight++;
      inBatches += batch.length;
      // run() is called synchronously here, so it must not throw synchronously: wrap it.
      Promise.resolve()
        .then(() => run(batch.map((w) => w.item)))
        .then(
          (outcomes) =>
            batch.forEach((w, i) => {
              const outcome = outcomes[i];
              if (!outcome) w.reject(new Error('group commit: the batch returned no outcome for an item'));
              else if ('error' in outcome) w.reject(outcome.error);
              else w.resolve(outcome.value);
            }),
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(() => {
          inFlight--;
          inBatches -= batch.length;
          pump();
        });
    }
  };

  return {
    submit(item) {
      if (queue.length >= maxQueued) return Promise.reject(whenFull());
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    pending: () => queue.length + inBatches,
  };
}
