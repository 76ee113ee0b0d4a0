// `chronos migrate`: apply pending database migrations (start, api and worker do it too).
import type { Command } from '../command.js';
import { ADMIN_ENVIRONMENT_HELP } from '../admin-environment.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending database migrations',
  details: ['Every start, api and worker process applies them at start too (serialised by a lock).', ...ADMIN_ENVIRONMENT_HELP],
  load: () => import('./migrate/apply.js'),
};
