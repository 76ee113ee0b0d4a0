// Every worker task, one file each, named after its identifier.
import type { TaskList } from 'graphile-worker';
import type { WorkerContext } from '../worker/context.js';
import { SUBMIT_TRANSACTION } from '../db/jobs.js';
import { submitTransaction } from './submit-transaction.js';
import { DELIVER_WEBHOOK, deliverWebhook } from './deliver-webhook.js';
import { measured } from './measure.js';

export function taskList(ctx: WorkerContext): TaskList {
  return {
    [SUBMIT_TRANSACTION]: measured(SUBMIT_TRANSACTION, submitTransaction(ctx)),
    [DELIVER_WEBHOOK]: measured(DELIVER_WEBHOOK, deliverWebhook(ctx)),
  };
}
