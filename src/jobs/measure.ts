// Counts and times every run of a task (chronos_jobs_total, chronos_job_duration_seconds), so the task
// files stay about their work.
import type { Task } from 'graphile-worker';
import { jobDuration, jobs } from '../observability/metrics.js';

export function measured(task: string, run: Task): Task {
  return async (payload, helpers) => {
    const started = process.hrtime.bigint();
    let outcome = 'success';
    try {
      const result = await run(payload, helpers);
      // A task may hand back promises for graphile-worker to wait on: they are part of the run.
      if (Array.isArray(result)) await Promise.all(result);
    } catch (error) {
      // graphile-worker retries a throwing task until its attempts are used up.
      outcome = helpers.job.attempts >= helpers.job.max_attempts ? 'failed' : 'error';
      throw error;
    } finally {
      jobs.inc({ task, outcome });
      jobDuration.observe({ task, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
