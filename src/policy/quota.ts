// Per-user transaction quotas (README, Quotas). Enforcement and GET /quota/check share the same counting and
// the same arithmetic, so what the check promises is what accepting an operation then decides.
//
// Usage is counted from the transactions table itself (accepted operations of that type in the period,
// FAILED and EXPIRED excluded), so nothing has to be "given back": an operation that fails or expires
// stops counting when its status changes. No policy, or a disabled one, limits nothing.
import type { Db } from '../db/connect.js';
import type { OperationType } from '../operations/index.js';
import {
  QUOTA_OPERATIONS,
  QUOTA_PERIODS,
  countQuotaUsage,
  findPolicy,
  limitsOf,
  type PeriodCounts,
  type PeriodLimits,
  type QuotaPeriod,
} from '../db/policies.js';
import { AppError } from '../app-error.js';

export type QuotaStatus = {
  allowed: boolean;
  /** Operations left per period; null = the period is not limited. */
  remaining: Record<QuotaPeriod, number | null>;
};

export type QuotaReport = { kind: 'no-policy' } | { kind: 'disabled' } | { kind: 'active'; operations: Record<OperationType, QuotaStatus> };

export function isLimited(limits: PeriodLimits): boolean {
  return QUOTA_PERIODS.some((period) => limits[period] !== null);
}

export function quotaStatusOf(limits: PeriodLimits, used: PeriodCounts): QuotaStatus {
  const remaining = Object.fromEntries(
    QUOTA_PERIODS.map((period) => {
      const limit = limits[period];
      return [period, limit === null ? null : Math.max(0, limit - used[period])];
    }),
  ) as QuotaStatus['remaining'];
  return { allowed: QUOTA_PERIODS.every((period) => remaining[period] === null || remaining[period] >= 1), remaining };
}

/** The smallest count left across the limited periods, or undefined when none is limited. */
export function smallestRemaining(status: QuotaStatus): number | undefined {
  const counts = QUOTA_PERIODS.map((period) => status.remaining[period]).filter((n): n is number => n !== null);
  return counts.length ? Math.min(...counts) : undefined;
}

/**
 * Whether one more `operation` fits what this user has `used` (counted under the per-user lock, see
 * src/transactions/accept-batch.ts): a 429 QUOTA_EXCEEDED refusal, or what is left once it is counted
 * (undefined when no period is limited).
 */
export function quotaDecision(limits: PeriodLimits, used: PeriodCounts, operation: OperationType): { refusal?: AppError; remaining?: number } {
  if (!isLimited(limits)) return {};
  const status = quotaStatusOf(limits, used);
  if (!status.allowed) {
    const exhausted = QUOTA_PERIODS.filter((period) => status.remaining[period] === 0);
    const detail = exhausted.map((period) => `${limits[period]} ${period}`).join(', ');
    return { refusal: new AppError(429, 'QUOTA_EXCEEDED', `Transaction quota exceeded: this user has reached the ${operation} limit (${detail})`) };
  }
  return { remaining: smallestRemaining(status)! - 1 };
}

/** What GET /quota/check reports for one user of a client. */
export async function readQuota(db: Db, { clientId, userId }: { clientId: string; userId: string }): Promise<QuotaReport> {
  const policy = await findPolicy(db, clientId);
  if (!policy) return { kind: 'no-policy' };
  if (!policy.enabled) return { kind: 'disabled' };
  const limits = limitsOf(policy);
  const used = await countQuotaUsage(db, { clientId, userId, types: QUOTA_OPERATIONS.filter((op) => isLimited(limits[op])) });
  const operations = Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, quotaStatusOf(limits[op], used[op])])) as Record<OperationType, QuotaStatus>;
  return { kind: 'active', operations };
}
