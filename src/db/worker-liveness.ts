// The heartbeat of worker processes and the recovery of a dead one's jobs, as one statement. Removing
// a stale heartbeat and unlocking the jobs it accounts for must commit together: a process killed
// between the two would erase the only record of the dead worker's ids, and its jobs would stay
// locked until graphile-worker's own 4-hour timeout (README "Guarantees").
import { sql } from 'kysely';
import type { Db } from './connect.js';

export type WorkerSweep = {
  /** Heartbeat rows found stale and removed. */
  deadProcesses: string[];
  /** Jobs and job queues unlocked (a queue is locked alongside the job it runs). */
  unlockedJobs: number;
  unlockedQueues: number;
};

/**
 * Records this process's heartbeat and, in the same statement, removes every stale heartbeat and
 * frees the jobs (and job queues) locked by an id that no live heartbeat accounts for: the ids of
 * the rows removed now, and any other lock older than `staleAfterMs` whose holder has no row at all
 * (its row removed by a process that died before it could unlock, or never written). A live process
 * writes its ids within a heartbeat interval of taking a job, so a lock that old with no live row
 * behind it has no living holder.
 */
export async function heartbeatAndSweep(
  db: Db,
  {
    processId,
    workerIds,
    staleAfterMs,
  }: {
    processId: string;
    workerIds: string[];
    staleAfterMs: number;
  },
): Promise<WorkerSweep> {
  const staleAfter = `${staleAfterMs} milliseconds`;
  const { rows } = await sql<{ dead_processes: string[]; unlocked_jobs: number; unlocked_queues: number }>`
    with beat as (
      insert into worker_processes (id, worker_ids) values (${processId}, ${workerIds}::text[])
      on conflict (id) do update set worker_ids = excluded.worker_ids, last_seen_at = now()
      returning id, worker_ids
    ),
    dead as (
      delete from worker_processes where last_seen_at < now() - ${staleAfter}::interval and id <> ${processId}
      returning id, worker_ids
    ),
    dead_ids as (select unnest(worker_ids) as id from dead),
    -- The statement's snapshot does not see its own upsert: this process's ids come from "beat".
    live_ids as (
      select unnest(worker_ids) as id from worker_processes where last_seen_at >= now() - ${staleAfter}::interval and id <> ${processId}
      union select unnest(worker_ids) from beat
    ),
    jobs as (
      update graphile_worker._private_jobs set locked_at = null, locked_by = null
      where locked_by is not null and locked_by not in (select id from live_ids)
        and (locked_by in (select id from dead_ids) or locked_at < now() - ${staleAfter}::interval)
      returning 1
    ),
    queues as (
      update graphile_worker._private_job_queues set locked_at = null, locked_by = null
      where locked_by is not null and locked_by not in (select id from live_ids)
        and (locked_by in (select id from dead_ids) or locked_at < now() - ${staleAfter}::interval)
      returning 1
    )
    select coalesce((select array_agg(id) from dead), '{}') as dead_processes,
      (select count(*) from jobs)::int as unlocked_jobs, (select count(*) from queues)::int as unlocked_queues
  `.execute(db);
  const row = rows[0];
  return { deadProcesses: row.dead_processes, unlockedJobs: row.unlocked_jobs, unlockedQueues: row.unlocked_queues };
}

/** Removes this process's heartbeat on a clean stop (its jobs have finished or been released). */
export async function removeHeartbeat(db: Db, processId: string): Promise<void> {
  await db.deleteFrom('worker_processes').where('id', '=', processId).execute();
}
