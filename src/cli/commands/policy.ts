import { createDb, createPool } from '../../db/connect.js';
import { QUOTA_OPERATIONS, type PeriodLimits } from '../../db/policies.js';
import type { OperationType } from '../../db/schema.js';
import * as admin from '../../admin/policies.js';
import { resolveAdminEnvironment } from '../admin-environment.js';
import { UsageError, type Output } from '../output.js';

export type PolicyArgs = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const SET_USAGE = 'chronos policy set ID [--mint D/W/M] [--transfer D/W/M] [--claim D/W/M]   (e.g. --mint 10/50/200; - = no limit for a period)';
const SUBCOMMANDS = 'set ID --mint D/W/M … | enable ID | disable ID | clear ID | show ID';

export async function policyCommand(out: Output, { positionals, values }: PolicyArgs): Promise<void> {
  const [sub, id] = positionals;
  if (!sub) throw new UsageError(`usage: chronos policy ${SUBCOMMANDS}`);
  if (!['set', 'enable', 'disable', 'clear', 'show'].includes(sub)) throw new UsageError(`unknown policy command '${sub}'; use one of: ${SUBCOMMANDS}`);
  if (!id) throw new UsageError(sub === 'set' ? `usage: ${SET_USAGE}` : `usage: chronos policy ${sub} ID`);
  // Parse before connecting: a typo should not need a database.
  const given = sub === 'set' ? parseSetOptions(values) : {};

  const env = await resolveAdminEnvironment();
  const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
  const db = createDb(pool);
  try {
    switch (sub) {
      case 'set': return print(out, await admin.setPolicy(db, id, given), 'policy set');
      case 'enable': return print(out, await admin.enablePolicy(db, id, true), 'policy enabled');
      case 'disable': return print(out, await admin.enablePolicy(db, id, false), 'policy disabled; operations are not quota-limited until it is enabled again');
      case 'clear': return print(out, await admin.clearPolicy(db, id), 'policy removed; operations are not quota-limited');
      default: return print(out, await admin.showPolicy(db, id));
    }
  } finally {
    await db.destroy();
  }
}

function parseSetOptions(values: PolicyArgs['values']): Partial<Record<OperationType, PeriodLimits>> {
  const given: Partial<Record<OperationType, PeriodLimits>> = {};
  for (const op of QUOTA_OPERATIONS) {
    const spec = values[op];
    if (typeof spec !== 'string') continue;
    try {
      given[op] = admin.parsePeriodLimits(spec, op);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  if (Object.keys(given).length === 0) throw new UsageError(`usage: ${SET_USAGE}\n(to remove every limit use \`chronos policy clear ID\`)`);
  return given;
}

function print(out: Output, view: admin.PolicyView, headline?: string): void {
  const state = !view.configured ? 'none (operations are not quota-limited)' : view.enabled ? 'enabled' : 'disabled (operations are not quota-limited)';
  out.result(view, [
    ...(headline ? [`${headline} for ${view.clientId}`] : []),
    `policy of ${view.clientId}: ${state}`,
    ...(view.configured ? QUOTA_OPERATIONS.map((op) => `  ${`${op}:`.padEnd(10)}${admin.describeLimits(view.limits[op])}`) : []),
  ]);
}
