import type { Route } from '../route.js';
import { AppError } from '../errors.js';
import { authOf, userIdOf } from '../request-context.js';
import { readQuota, type QuotaStatus } from '../../policy/quota.js';

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
    if (report.kind === 'no-policy') throw new AppError(404, 'POLICY_NOT_FOUND', 'Transaction policy not configured for this client', { success: false });
    if (report.kind === 'disabled') throw new AppError(403, 'POLICY_DISABLED', 'Transaction policy is disabled for this client', { success: false });
    const { mint, transfer, claim } = report.operations;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ success: true, mint: breakdown(mint), transfer: breakdown(transfer), claim: breakdown(claim) });
  },
};
