// The periods quotas and gas budgets are counted over (README, Quotas; Gas budgets). A module of its
// own so that both stores can name them without importing each other.
export const QUOTA_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];
