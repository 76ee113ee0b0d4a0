// Per-user transaction quotas (README, Quotas). Enforcement and GET /quota/check share the same counting and
// the same arithmetic, so what the check promises is what accepting an operation then decides.
//
// Usage is counted from the transactions table itself (accepted operations of that type in the period,
// FAILED and EXPIRED excluded), so nothing has to be "given back": an operation that fails or expires
// stops counting when its status changes. No policy, or a disabled one, limits nothing.
import type { Db } from '../db/connect.js';
import {
  QUOTA_PERIODS,
  countQuotaUsage,
  findStoredPolicy,
  limitKey,
  limitsOf,
  type PeriodCounts,
  type PeriodLimits,
  type CountedAs,
  type QuotaPeriod,
  type StoredPolicy,
} from '../db/policies.js';
import { apiErrors, type AppError } from '../app-error.js';
import { OPERATION_TYPES, definitionOf, operationList, type OperationType } from '../operations/index.js';
import type { GasFeeCap } from '../chain/gas-fee-cap.js';
import { findDeployedUsers, sumClientGasUsage, sumUserGasUsage } from '../db/gas-budgets.js';
import { GAS_BUDGET_SCOPES, NO_WEI_USED, gasBudgetRefusal, gasBudgetsOf, gasReservationWei, remainingWei, type GasBudgetScope } from './gas-budget.js';

/** An operation type a policy can limit: every type of the registry. */
export type QuotaOperation = OperationType;
/** In registry order, which is the order /quota/check, `chronos policy` and its --json list them in. */
export const QUOTA_OPERATION_TYPES = OPERATION_TYPES;
/** The types that also count in another type's quota (a payout, per recipient, in the transfer quota). */
export const QUOTA_COUNTED_AS: readonly CountedAs[] = operationList.flatMap((d) => (d.countsAs ? [{ type: d.type, as: d.countsAs }] : []));

export type QuotaStatus = {
  allowed: boolean;
  /** Operations left per period; null = the period is not limited. */
  remaining: Record<QuotaPeriod, number | null>;
};

/** What the gas budgets leave this user: wei per period and scope (null = no budget), and per type what one operation reserves now and whether it fits. */
export type GasBudgetStatus = {
  remaining: Record<GasBudgetScope, Record<QuotaPeriod, bigint | null> | null>;
  operations: Record<QuotaOperation, { reservationWei: bigint; allowed: boolean }>;
};

export type QuotaReport =
  | { kind: 'no-policy' }
  | { kind: 'disabled' }
  /** `gasBudget` only when the policy has a gas budget. */
  | { kind: 'active'; operations: Record<QuotaOperation, QuotaStatus>; gasBudget?: GasBudgetStatus };

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
 * Whether `units` more `operation`s (1, or a payout's recipients in the transfer quota) fit what this
 * user has `used` (counted under the per-user lock, see src/transactions/accept-batch.ts): a 429
 * QUOTA_EXCEEDED refusal, or what is left once they are counted (undefined when no period is limited).
 */
export function quotaDecision(limits: PeriodLimits, used: PeriodCounts, operation: string, units = 1): { refusal?: AppError; remaining?: number } {
  if (!isLimited(limits)) return {};
  const status = quotaStatusOf(limits, used);
  const short = QUOTA_PERIODS.filter((period) => status.remaining[period] !== null && status.remaining[period] < units);
  if (short.length) {
    const detail = short.map((period) => `${limits[period]} ${period}`).join(', ');
    const message =
      units === 1
        ? `Transaction quota exceeded: this user has reached the ${operation} limit (${detail})`
        : `Transaction quota exceeded: ${units} ${operation}s do not fit this user's ${operation} limit (${detail}; ${Math.min(...short.map((period) => status.remaining[period]!))} left)`;
    return { refusal: apiErrors.quotaExceeded(message) };
  }
  return { remaining: smallestRemaining(status)! - units };
}

/** A client's policy with a limit key for every registered type and period (null = not limited). */
export async function findPolicy(db: Db, clientId: string): Promise<StoredPolicy | undefined> {
  const policy = await findStoredPolicy(db, clientId);
  if (!policy) return undefined;
  const limits = limitsOf(policy, QUOTA_OPERATION_TYPES);
  return { ...policy, ...Object.fromEntries(QUOTA_OPERATION_TYPES.flatMap((op) => QUOTA_PERIODS.map((period) => [limitKey(op, period), limits[op][period]]))) };
}

/** What GET /quota/check reports for one user of a client. */
export async function readQuota(db: Db, { clientId, userId, gasFeeCap }: { clientId: string; userId: string; gasFeeCap: GasFeeCap }): Promise<QuotaReport> {
  const policy = await findStoredPolicy(db, clientId);
  if (!policy) return { kind: 'no-policy' };
  if (!policy.enabled) return { kind: 'disabled' };
  const limits = limitsOf(policy, QUOTA_OPERATION_TYPES);
  const used: Partial<Record<QuotaOperation, PeriodCounts>> = await countQuotaUsage(db, {
    clientId,
    userId,
    types: QUOTA_OPERATION_TYPES.filter((op) => isLimited(limits[op])),
    countedAs: QUOTA_COUNTED_AS,
  });
  const operations = Object.fromEntries(QUOTA_OPERATION_TYPES.map((op) => [op, quotaStatusOf(limits[op], used[op] ?? NOTHING_USED)])) as Record<
    QuotaOperation,
    QuotaStatus
  >;
  return { kind: 'active', operations, gasBudget: await readGasBudget(db, { clientId, userId, policy, gasFeeCap }) };
}

/**
 * The gas budgets' side of /quota/check, with the accept path's arithmetic: usage from the same query,
 * the reservation from the same ceilings and fee cap (read only when there is a budget).
 */
async function readGasBudget(
  db: Db,
  { clientId, userId, policy, gasFeeCap }: { clientId: string; userId: string; policy: StoredPolicy; gasFeeCap: GasFeeCap },
): Promise<GasBudgetStatus | undefined> {
  const budgets = gasBudgetsOf(policy.gas_budgets);
  if (!budgets.client && !budgets.user) return undefined;
  const [clientUsed, userUsed, deployed, feeCapWei] = await Promise.all([
    budgets.client ? sumClientGasUsage(db, { clientId }) : NO_WEI_USED,
    budgets.user ? sumUserGasUsage(db, { clientId, userIds: [userId] }).then((usage) => usage.get(userId)!) : NO_WEI_USED,
    findDeployedUsers(db, [{ clientId, userId }]).then((found) => found.length > 0),
    gasFeeCap.get(),
  ]);
  const used = { client: clientUsed, user: userUsed };
  const scopes = GAS_BUDGET_SCOPES.flatMap((scope) => {
    const limits = budgets[scope];
    return limits ? [{ scope, limits, used: used[scope] }] : [];
  });
  const now = new Date();
  const operations = Object.fromEntries(
    QUOTA_OPERATION_TYPES.map((op) => {
      const reservationWei = gasReservationWei({ gasCeiling: definitionOf(op).gasCeiling, deployed, feeCapWei });
      return [op, { reservationWei, allowed: !gasBudgetRefusal(scopes, { reservationWei, operation: op, now }) }];
    }),
  ) as GasBudgetStatus['operations'];
  const remaining = Object.fromEntries(
    GAS_BUDGET_SCOPES.map((scope) => [scope, budgets[scope] ? remainingWei(budgets[scope], used[scope]) : null]),
  ) as GasBudgetStatus['remaining'];
  return { remaining, operations };
}

const NOTHING_USED: PeriodCounts = { daily: 0, weekly: 0, monthly: 0 };
