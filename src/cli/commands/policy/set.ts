import { QUOTA_OPERATIONS, type PeriodLimits } from '../../../db/policies.js';
import type { OperationType } from '../../../operations/index.js';
import { parsePeriodLimits, setPolicy } from '../../../admin/policies.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { printPolicy } from './print.js';

export async function run({ out, args, options }: CommandInput): Promise<void> {
  // Parsed before connecting: a typo should not need a database.
  const given = parseLimitOptions(options);
  printPolicy(out, await withAdminDb((db) => setPolicy(db, args.ID, given)), 'policy set');
}

function parseLimitOptions(options: CommandInput['options']): Partial<Record<OperationType, PeriodLimits>> {
  const given: Partial<Record<OperationType, PeriodLimits>> = {};
  for (const op of QUOTA_OPERATIONS) {
    const spec = options[op];
    if (typeof spec !== 'string') continue;
    try {
      given[op] = parsePeriodLimits(spec, op);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (Object.keys(given).length === 0)
    throw new UsageError('policy set needs at least one of --mint, --transfer, --claim D/W/M (to remove every limit use `chronos policy clear ID`)');
  return given;
}
