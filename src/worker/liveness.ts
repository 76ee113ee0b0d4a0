// graphile-worker unlocks a crashed worker's jobs only after 4 hours. Each worker process therefore
// heart-beats the ids of its graphile workers; any process finding a stale heartbeat unlocks that
// process's jobs (forceUnlockWorkers) so they are retried within seconds.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import type { AppContext } from '../context.js';

export type Liveness = { events: EventEmitter; start(): Promise<void>; stop(): Promise<void> };

export function createLiveness(ctx: AppContext, { intervalMs = 2_000, staleAfterMs = 10_000 } = {}): Liveness {
  const processId = `proc-${randomUUID()}`;
  const workerIds = new Set<string>();
  const events = new EventEmitter();
  // Jobs are locked by the pool's id (and, in some modes, by each worker's): record both.
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => workerIds.add(workerPool.id));
  events.on('worker:create', ({ worker }: { worker: { workerId: string } }) => workerIds.add(worker.workerId));
  let timer: NodeJS.Timeout | undefined;
  let utils: WorkerUtils | undefined;

  const beat = async () => {
    await ctx.db.insertInto('worker_processes').values({ id: processId, worker_ids: [...workerIds] })
      .onConflict((oc) => oc.column('id').doUpdateSet({ worker_ids: [...workerIds], last_seen_at: sql`now()` }))
      .execute();
    const dead = await ctx.db.deleteFrom('worker_processes')
      .where('last_seen_at', '<', sql<Date>`now() - ${`${staleAfterMs} milliseconds`}::interval`)
      .returning(['id', 'worker_ids']).execute();
    const ids = dead.flatMap((d) => d.worker_ids);
    if (ids.length) {
      utils ??= await makeWorkerUtils({ pgPool: ctx.pool });
      await utils.forceUnlockWorkers(ids);
      ctx.logger.warn({ processes: dead.map((d) => d.id), workers: ids.length }, 'unlocked the jobs of worker processes that stopped heart-beating');
    }
  };
  const tick = () => {
    timer = setTimeout(() => {
      beat().catch((error) => ctx.logger.warn({ err: error }, 'worker heartbeat failed')).finally(tick);
    }, intervalMs);
    timer.unref();
  };
  return {
    events,
    async start() { await beat(); tick(); },
    async stop() {
      clearTimeout(timer);
      await ctx.db.deleteFrom('worker_processes').where('id', '=', processId).execute().catch(() => {});
      await utils?.release();
    },
  };
}
