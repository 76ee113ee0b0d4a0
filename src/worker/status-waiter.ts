// Lets a job wait for its transaction to end without polling per transaction: one LISTEN connection
// per process hears every status change; a slow sweep (one query for all waiters) covers lost notifications.
import type pg from 'pg';
import type { AppContext } from '../context.js';
import type { Transaction } from '../db/schema.js';
import { STATUS_CHANNEL } from '../status/transition.js';
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

export function createStatusWaiter(ctx: AppContext, { sweepMs = 1_000 } = {}): StatusWaiter {
  const waiters = new Map<string, Set<Waiter>>();
  let listener: pg.PoolClient | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const check = async (ids: string[]) => {
    if (!ids.length) return;
    // Only what decides: the rows carry the signed UserOperations, which nobody waiting here reads.
    const rows = await ctx.db.selectFrom('transactions').select(['id', 'status']).where('id', 'in', ids).execute();
    for (const row of rows) if (isTerminal(row.status)) settle(row.id, row);
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
  const handedBack = new WeakSet<object>();
  const listen = async (): Promise<void> => {
    if (stopped) return;
    const retry = () => setTimeout(() => void listen(), 1_000).unref();
    let client: pg.PoolClient;
    try {
      client = await ctx.pool.connect();
    } catch (error) {
      ctx.logger.warn({ err: error }, 'status listener could not connect; retrying');
      retry();
      return;
    }
    // Once, whichever comes first: its error, a failed LISTEN, or stop(). A client kept after a failure
    // would be lost to the pool for good, one per attempt during an outage.
    const handBack = (): boolean => {
      if (handedBack.has(client)) return false;
      handedBack.add(client);
      client.release(true);
      if (listener === client) listener = undefined;
      return true;
    };
    client.on('notification', (msg) => {
      if (msg.channel === STATUS_CHANNEL && msg.payload && waiters.has(msg.payload)) {
        check([msg.payload]).catch(() => {});
      }
    });
    client.on('error', () => {
      if (handBack() && !stopped) retry();
    });
    try {
      await client.query(`listen ${STATUS_CHANNEL}`);
      listener = client;
      // stop() ran while this was connecting: it saw no listener to hand back.
      if (stopped) handBack();
    } catch (error) {
      ctx.logger.warn({ err: error }, 'status listener could not listen; retrying');
      if (handBack() && !stopped) retry();
    }
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
      await listen();
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(sweepTimer);
      for (const id of [...waiters.keys()]) settle(id, undefined);
      if (listener) {
        const client = listener;
        listener = undefined;
        await client.query(`unlisten ${STATUS_CHANNEL}`).catch(() => {});
        if (!handedBack.has(client)) {
          handedBack.add(client);
          client.release();
        }
      }
    },
  };
}
