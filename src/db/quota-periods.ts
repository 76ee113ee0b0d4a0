// The periods quotas, gas budgets and withdrawal limits are counted over (README, Quotas; Gas budgets),
// and where each ends. A module of its own so that the stores, the policy and the operations can name
// them without importing each other.
export const QUOTA_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** When the UTC period that `now` is in ends: the next day, Monday or first of the month, 00:00 UTC. */
export function periodEnd(period: QuotaPeriod, now: Date): Date {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const DAY_MS = 86_400_000;
  switch (period) {
    case 'daily':
      return new Date(day + DAY_MS);
    case 'weekly':
      // getUTCDay: Sunday 0 … Saturday 6; weeks start on Monday.
      return new Date(day + (7 - ((now.getUTCDay() + 6) % 7)) * DAY_MS);
    case 'monthly':
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  }
}
