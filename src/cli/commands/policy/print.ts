import { QUOTA_OPERATION_TYPES } from '../../../policy/quota.js';
import { describeGasBudget, describeLimits, type PolicyView } from '../../../admin/policies.js';
import { GAS_BUDGET_SCOPES } from '../../../policy/gas-budget.js';
import type { Output } from '../../output.js';

export function printPolicy(out: Output, view: PolicyView, headline?: string): void {
  const state = !view.configured ? 'none (operations are not quota-limited)' : view.enabled ? 'enabled' : 'disabled (operations are not quota-limited)';
  out.result(view, [
    ...(headline ? [`${headline} for ${view.clientId}`] : []),
    `policy of ${view.clientId}: ${state}`,
    ...(view.configured ? QUOTA_OPERATION_TYPES.map((op) => `  ${`${op}:`.padEnd(10)}${describeLimits(view.limits[op])}`) : []),
    ...(view.configured ? GAS_BUDGET_SCOPES.map((scope) => `  ${`gas budget per ${scope}:`.padEnd(24)}${describeGasBudget(view.gasBudgets[scope])}`) : []),
  ]);
}
