import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { QUOTA_OPERATION_TYPES, readQuota, type GasBudgetStatus, type QuotaStatus } from '../../policy/quota.js';
import { QUOTA_PERIODS } from '../../db/policies.js';

/**
 * The documented schema allows integers only, so a period without a limit is reported as -1.
 * `allowed` is the answer to act on; it is exactly what accepting the operation would decide.
 */
export const UNLIMITED = -1;

const breakdown = ({ allowed, remaining }: QuotaStatus) => ({
  allowed,
  remaining: {
    daily: remaining.daily ?? UNLIMITED,
    weekly: remaining.weekly ?? UNLIMITED,
    monthly: remaining.monthly ?? UNLIMITED,
  },
});

const weiOrNull = (wei: bigint | null) => (wei === null ? null : wei.toString());

/** Wei as decimal strings (they exceed a JSON number's exact range); null where there is no budget. */
const gasBudgetView = ({ remaining, operations }: GasBudgetStatus) => ({
  remaining: {
    client: remaining.client && Object.fromEntries(QUOTA_PERIODS.map((period) => [period, weiOrNull(remaining.client![period])])),
    user: remaining.user && Object.fromEntries(QUOTA_PERIODS.map((period) => [period, weiOrNull(remaining.user![period])])),
  },
  operations: Object.fromEntries(
    QUOTA_OPERATION_TYPES.map((op) => [op, { allowed: operations[op].allowed, reservationWei: operations[op].reservationWei.toString() }]),
  ),
});

export const checkQuota: Route = {
  operationId: 'checkQuota',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const report = await readQuota(ctx.db, { clientId: authOf(req).client.id, userId, gasFeeCap: ctx.gasFeeCap });
    // This route's documented error shape carries `success: false`.
    if (report.kind === 'no-policy') throw apiErrors.policyNotFound().withBody({ success: false });
    if (report.kind === 'disabled') throw apiErrors.policyDisabled().withBody({ success: false });
    const { operations, gasBudget } = report;
    res.setHeader('Cache-Control', 'no-store');
    // One key per registered type, in registry order, after `success`; the gas budgets, when the policy has one, last.
    res.json({
      success: true,
      ...Object.fromEntries(QUOTA_OPERATION_TYPES.map((op) => [op, breakdown(operations[op])])),
      ...(gasBudget && { gasBudget: gasBudgetView(gasBudget) }),
    });
  },
};
