import { enablePolicy } from '../../../admin/policies.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { printPolicy } from './print.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  printPolicy(out, await withAdminDb((db) => enablePolicy(db, args.ID, false)), 'policy disabled; operations are not quota-limited until it is enabled again');
}
