// Every worker task, one file each, named after its identifier.
import type { TaskList } from 'graphile-worker';
import type { AppContext } from '../context.js';

export function taskList(_ctx: AppContext): TaskList {
  return {};
}
