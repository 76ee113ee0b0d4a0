// graphile-worker unlocks a crashed worker's jobs only after 4 hours. Each worker process therefore
// heart-beats the ids of its graphile workers; any process finding a stale heartbeat unlocks that
// process's jobs so they are retried within WORKER_STALE_AFTER_MS. Removing the stale row and unlocking
// happen in one statement (src/db/worker-liveness.ts), and the same sweep frees locks that no live
// row accounts for, so no crash at any point can leave jobs locked behind an erased record.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AppContext } from '../context.js';
import { heartbeatAndSweep, removeHeartbeat } from '../db/worker-liveness.js';
import { failpoint } from '../observability/failpoints.js';

export type Liveness = { events: EventEmitter; start(): Promise<void>; stop(): Promise<void> };

export function createLiveness(ctx: AppContext, { intervalMs = 2_000, staleAfterMs = 10_000 } = {}): Liveness {
  const processId = `proc-${randomUUID()}`;
  const workerIds = new Set<string>();
  const events = new EventEmitter();
  // Jobs are locked by the pool's id (and, in some modes, by each worker's): record both.
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => workerIds.add(workerPool.id));
  events.on('worker:create', ({ worker }: { worker: { workerId: string } }) => workerIds.add(worker.workerId));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let beating: Promise<void> | undefined;

  const beat = async () => {
    const sweep = await heartbeatAndSweep(ctx.db, { processId, workerIds: [...workerIds], staleAfterMs });
    if (sweep.deadProcesses.length) failpoint('after-stale-workers-removed');
    if (sweep.deadProcesses.length || sweep.unlockedJobs || sweep.unlockedQueues) {
      ctx.logger.warn(
        { processes: sweep.deadProcesses, jobs: sweep.unlockedJobs, queues: sweep.unlockedQueues },
        'unlocked the jobs of worker processes that stopped heart-beating',
      );
    }
  };
  // A beat in flight when stop() runs must not arm the next one: it would write the heartbeat back
  // after its removal, on a pool about to be closed.
  const tick = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = beat()
        .catch((error) => ctx.logger.warn({ err: error }, 'worker heartbeat failed'))
        .finally(() => {
          beating = undefined;
          tick();
        });
    }, intervalMs);
    timer.unref();
  };
  return {
    events,
    async start() {
      await beat();
      tick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await beating;
      await removeHeartbeat(ctx.db, processId).catch(() => {});
    },
  };
}
