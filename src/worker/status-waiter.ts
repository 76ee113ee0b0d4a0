// Lets a job wait for its transaction to end without polling per transaction: the process's one LISTEN
// connection (src/db/notifications.ts) hears every status change; a slow sweep (one query for all
// waiters) covers lost notifications.
import type { AppContext } from '../context.js';
import type { Transaction } from '../db/schema.js';
import { findStatuses } from '../db/transaction-progress.js';
import type { Notifications } from '../db/notifications.js';
import { STATUS_CHANNEL } from '../db/transaction-status.js';
import { isTerminal } from '../status/machine.js';

/** What a waiter learns: the transaction's id and its (terminal) status. */
export type TransactionOutcome = Pick<Transaction, 'id' | 'status'>;

type Waiter = { until: number; resolve: (tx: TransactionOutcome | undefined) => void };

export type StatusWaiter = {
  /** Resolves with the outcome once terminal, or undefined at `until` (or on stop). */
  waitForTerminal(transactionId: string, until: Date, signal?: AbortSignal): Promise<TransactionOutcome | undefined>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createStatusWaiter(
  ctx: Pick<AppContext, 'db'>,
  { notifications, sweepMs = 1_000 }: { notifications: Notifications; sweepMs?: number },
): StatusWaiter {
  const waiters = new Map<string, Set<Waiter>>();
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;

  const check = async (ids: string[]) => {
    if (!ids.length) return;
    for (const row of await findStatuses(ctx.db, ids)) if (isTerminal(row.status)) settle(row.id, row);
  };
  const settle = (id: string, tx: TransactionOutcome | undefined) => {
    const set = waiters.get(id);
    if (!set) return;
    waiters.delete(id);
    for (const w of set) w.resolve(tx);
  };
  const sweep = async () => {
    const now = Date.now();
    for (const [id, set] of waiters) {
      for (const w of set)
        if (w.until <= now) {
          set.delete(w);
          w.resolve(undefined);
        }
      if (!set.size) waiters.delete(id);
    }
    await check([...waiters.keys()]);
  };
  const loop = () => {
    sweepTimer = setTimeout(() => {
      sweep()
        .catch(() => {})
        .finally(() => {
          if (!stopped) loop();
        });
    }, sweepMs);
    sweepTimer.unref();
  };

  return {
    waitForTerminal(transactionId, until, signal) {
      return new Promise((resolve) => {
        const set = waiters.get(transactionId) ?? new Set();
        const onAbort = () => {
          set.delete(waiter);
          resolve(undefined);
        };
        const waiter: Waiter = {
          until: until.getTime(),
          resolve: (tx) => {
            signal?.removeEventListener('abort', onAbort);
            resolve(tx);
          },
        };
        set.add(waiter);
        waiters.set(transactionId, set);
        signal?.addEventListener('abort', onAbort, { once: true });
        check([transactionId]).catch(() => {});
      });
    },
    async start() {
      unsubscribe = notifications.subscribe(STATUS_CHANNEL, {
        onNotify: (id) => {
          if (id && waiters.has(id)) check([id]).catch(() => {});
        },
        // Whatever ended while nobody listened: look now rather than at the next sweep.
        onGap: () => void check([...waiters.keys()]).catch(() => {}),
      });
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(sweepTimer);
      unsubscribe?.();
      for (const id of [...waiters.keys()]) settle(id, undefined);
    },
  };
}
