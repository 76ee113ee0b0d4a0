// graphile-worker's own log lines, through our pino logger. Its job lines carry the whole job row;
// we keep what an operator searches by — job id, task, attempt, and the transaction or delivery the
// job is about — so that every line about a job can be found by its jobId or transactionId.
import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from './logger.js';

type JobRow = { id?: string; task_identifier?: string; attempts?: number; max_attempts?: number; payload?: unknown };

export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    const { job, error, ...rest } = (meta ?? {}) as { job?: JobRow; error?: unknown } & Record<string, unknown>;
    const payload = (job?.payload ?? {}) as { transactionId?: unknown; deliveryId?: unknown };
    logger[method](
      {
        ...scope,
        ...rest,
        component: 'worker',
        ...(job
          ? {
              jobId: job.id,
              task: job.task_identifier,
              attempt: job.attempts,
              maxAttempts: job.max_attempts,
              transactionId: typeof payload.transactionId === 'string' ? payload.transactionId : undefined,
              deliveryId: typeof payload.deliveryId === 'string' ? payload.deliveryId : undefined,
            }
          : {}),
        // pino serializes errors under `err` (message, stack, cause); under any other key they log as {}.
        ...(error !== undefined ? { err: error } : {}),
      },
      message,
    );
  });
}
