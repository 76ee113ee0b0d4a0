import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { QUOTA_OPERATION_TYPES, readQuota, type QuotaStatus } from '../../policy/quota.js';

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

export const checkQuota: Route = {
  operationId: 'checkQuota',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const report = await readQuota(ctx.db, { clientId: authOf(req).client.id, userId });
    // This route's documented error shape carries `success: false`.
    if (report.kind === 'no-policy') throw apiErrors.policyNotFound().withBody({ success: false });
    if (report.kind === 'disabled') throw apiErrors.policyDisabled().withBody({ success: false });
    const { operations } = report;
    res.setHeader('Cache-Control', 'no-store');
    // One key per registered type, in registry order, after `success`.
    res.json({ success: true, ...Object.fromEntries(QUOTA_OPERATION_TYPES.map((op) => [op, breakdown(operations[op])])) });
  },
};
