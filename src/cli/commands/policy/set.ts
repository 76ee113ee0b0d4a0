import type { PeriodLimits } from '../../../db/policies.js';
import { QUOTA_OPERATION_TYPES, type QuotaOperation } from '../../../policy/quota.js';
import { parseGasBudget, parsePeriodLimits, setPolicy } from '../../../admin/policies.js';
import { GAS_BUDGET_SCOPES, type GasBudgets } from '../../../policy/gas-budget.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { printPolicy } from './print.js';

export async function run({ out, args, options }: CommandInput): Promise<void> {
  // Parsed before connecting: a typo should not need a database.
  const given = parseLimitOptions(options);
  const budgets = parseGasBudgetOptions(options);
  if (Object.keys(given).length === 0 && Object.keys(budgets).length === 0) {
    const flags = [...QUOTA_OPERATION_TYPES.map((op) => `--${op}`), ...GAS_BUDGET_SCOPES.map(gasBudgetFlag)].join(', ');
    throw new UsageError(`policy set needs at least one of ${flags} D/W/M (to remove every limit use \`chronos policy clear ID\`)`);
  }
  printPolicy(out, await withAdminDb((db) => setPolicy(db, args.ID, given, budgets)), 'policy set');
}

/** `--gas-budget-client`, `--gas-budget-user`. */
export const gasBudgetFlag = (scope: string) => `--gas-budget-${scope}`;

function parseGasBudgetOptions(options: CommandInput['options']): Partial<GasBudgets> {
  const budgets: Partial<GasBudgets> = {};
  for (const scope of GAS_BUDGET_SCOPES) {
    const spec = options[`gas-budget-${scope}`];
    if (typeof spec !== 'string') continue;
    try {
      budgets[scope] = parseGasBudget(spec, `gas-budget-${scope}`);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return budgets;
}

function parseLimitOptions(options: CommandInput['options']): Partial<Record<QuotaOperation, PeriodLimits>> {
  const given: Partial<Record<QuotaOperation, PeriodLimits>> = {};
  for (const op of QUOTA_OPERATION_TYPES) {
    const spec = options[op];
    if (typeof spec !== 'string') continue;
    try {
      given[op] = parsePeriodLimits(spec, op);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return given;
}
