// Gas budgets (README, Gas budgets): the wei a client may have sponsored per UTC day, ISO week and
// month, for the client as a whole and for each of its users. The pure part: what an operation
// reserves, what is left, and the refusal when it does not fit. The accept batch applies it under its
// locks (src/transactions/accept-batch.ts); /quota/check reports it with the same arithmetic.
import { QUOTA_PERIODS, type QuotaPeriod } from '../db/policies.js';
import type { GasBudgetRow, GasBudgetScope, PeriodWei, StoredGasBudgets } from '../db/gas-budgets.js';
import { apiErrors, type AppError } from '../app-error.js';
import { periodEnd } from '../db/quota-periods.js';

export type { GasBudgetScope };
export const GAS_BUDGET_SCOPES = ['client', 'user'] as const satisfies readonly GasBudgetScope[];

/** Wei per period; null = no budget for that period. */
export type WeiLimits = Record<QuotaPeriod, bigint | null>;
export type WeiUsage = PeriodWei;
/** A policy's budgets; a scope without any is null. */
export type GasBudgets = Record<GasBudgetScope, WeiLimits | null>;

export const NO_GAS_BUDGETS: GasBudgets = { client: null, user: null };
export const NO_WEI_USED: WeiUsage = { daily: 0n, weekly: 0n, monthly: 0n };

/**
 * Gas an account's deployment adds to its first operation (factory call + initialisation, measured at
 * ~200k on the test stack's accounts), with headroom. Reserved while no operation of the user has
 * reached the chain yet; several such operations in flight each reserve it, since which one deploys is
 * decided only when the worker signs.
 */
export const ACCOUNT_DEPLOYMENT_GAS = 300_000n;

/**
 * The most an operation may cost: (its type's gas ceiling + deployment when the account has none yet)
 * × the fee cap read at accept (src/chain/gas-fee-cap.ts). Exported so tests build budgets from it.
 */
export function gasReservationWei({ gasCeiling, deployed, feeCapWei }: { gasCeiling: bigint; deployed: boolean; feeCapWei: bigint }): bigint {
  return (gasCeiling + (deployed ? 0n : ACCOUNT_DEPLOYMENT_GAS)) * feeCapWei;
}

export const hasBudget = (limits: WeiLimits | null): limits is WeiLimits => limits !== null && QUOTA_PERIODS.some((period) => limits[period] !== null);

/** Wei left per period (never below 0); null where there is no budget. */
export function remainingWei(limits: WeiLimits | null, used: WeiUsage): Record<QuotaPeriod, bigint | null> {
  return Object.fromEntries(
    QUOTA_PERIODS.map((period) => {
      const limit = limits?.[period] ?? null;
      return [period, limit === null ? null : limit > used[period] ? limit - used[period] : 0n];
    }),
  ) as Record<QuotaPeriod, bigint | null>;
}

const SCOPE_WORDS: Record<GasBudgetScope, string> = { client: "the client's", user: "this user's" };

/**
 * Whether `reservationWei` fits every budget of each scope given (the client's usage, the user's
 * usage): the 429 refusal naming the first budget it does not fit, with Retry-After until the latest
 * end among the periods it does not fit (only then can the same request succeed without a release).
 */
export function gasBudgetRefusal(
  scopes: readonly { scope: GasBudgetScope; limits: WeiLimits; used: WeiUsage }[],
  { reservationWei, operation, now }: { reservationWei: bigint; operation: string; now: Date },
): AppError | undefined {
  const short = scopes.flatMap(({ scope, limits, used }) => {
    const left = remainingWei(limits, used);
    return QUOTA_PERIODS.flatMap((period) => {
      const remaining = left[period];
      return remaining !== null && remaining < reservationWei ? [{ scope, period, remaining }] : [];
    });
  });
  if (short.length === 0) return undefined;
  const [first] = short;
  const retryAfterSeconds = Math.max(1, Math.ceil((Math.max(...short.map((s) => periodEnd(s.period, now).getTime())) - now.getTime()) / 1000));
  return apiErrors.sponsorshipBudgetExceeded(
    `Sponsorship budget exceeded: ${SCOPE_WORDS[first.scope]} ${first.period} gas budget has ${first.remaining} wei left, and this ${operation} reserves ${reservationWei} wei`,
    retryAfterSeconds,
  );
}

/** The budget adds the reservation to each scope's usage once an operation is accepted. */
export function addUsage(used: WeiUsage, wei: bigint): void {
  for (const period of QUOTA_PERIODS) used[period] += wei;
}

/** A stored policy's budget rows as limits per scope; a scope without any row is null. */
export function gasBudgetsOf(stored: StoredGasBudgets | undefined): GasBudgets {
  const of = (scope: GasBudgetScope): WeiLimits | null => {
    const limits = Object.fromEntries(
      QUOTA_PERIODS.map((period) => {
        const wei = stored?.[`${scope}_${period}`];
        return [period, wei === undefined ? null : BigInt(wei)];
      }),
    ) as WeiLimits;
    return hasBudget(limits) ? limits : null;
  };
  return { client: of('client'), user: of('user') };
}

/** The rows `upsertPolicy` stores for these budgets. */
export function gasBudgetRows(budgets: GasBudgets): GasBudgetRow[] {
  return GAS_BUDGET_SCOPES.flatMap((scope) =>
    QUOTA_PERIODS.flatMap((period) => {
      const maxWei = budgets[scope]?.[period] ?? null;
      return maxWei === null ? [] : [{ scope, period, maxWei }];
    }),
  );
}
