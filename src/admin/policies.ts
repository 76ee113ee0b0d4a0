// Operator actions on transaction policies (the CLI's `policy …` commands): per-user quotas and the
// client's gas budgets (README, Quotas and Gas budgets).
import { formatEther } from 'viem';
import { weiOf, type EthUnit } from '../chain/eth-units.js';
import type { Db } from '../db/connect.js';
import { findClient } from '../db/clients.js';
import {
  QUOTA_PERIODS,
  deletePolicy,
  findStoredPolicy,
  limitsOf,
  setPolicyEnabled,
  upsertPolicy,
  type PeriodLimits,
  type StoredPolicy,
} from '../db/policies.js';
import { QUOTA_OPERATION_TYPES, isLimited, type QuotaOperation } from '../policy/quota.js';
import { ClientNotFoundError } from './clients.js';
import { GAS_BUDGET_SCOPES, gasBudgetRows, gasBudgetsOf, type GasBudgetScope, type GasBudgets, type WeiLimits } from '../policy/gas-budget.js';

export class PolicyNotFoundError extends Error {
  constructor(clientId: string) {
    super(`client '${clientId}' has no transaction policy; create one with \`chronos policy set ${clientId} --${QUOTA_OPERATION_TYPES[0]} D/W/M …\``);
  }
}

export type PolicyView = {
  clientId: string;
  /** false: no policy, operations are not quota-limited. */
  configured: boolean;
  enabled: boolean;
  /** Per operation: null = unlimited; per period: null = that period is unlimited. */
  limits: Record<QuotaOperation, PeriodLimits | null>;
  /** Wei per period as decimal strings; per scope: null = no budget; per period: null = no budget for that period. */
  gasBudgets: Record<GasBudgetScope, Record<keyof PeriodLimits, string | null> | null>;
  updatedAt: string | null;
};

const UNLIMITED_PERIOD = '-';
const MAX_LIMIT = 2_147_483_647;

/** Parses "10/50/200" (daily/weekly/monthly); "-" leaves a period unlimited, e.g. "10/-/-". */
export function parsePeriodLimits(spec: string, operation: string): PeriodLimits {
  const parts = spec.split('/').map((s) => s.trim());
  const usage = `--${operation} must be DAILY/WEEKLY/MONTHLY, e.g. 10/50/200 (a whole number, or - for no limit), not '${spec}'`;
  if (parts.length !== QUOTA_PERIODS.length) throw new Error(usage);
  const values = parts.map((part) => {
    if (part === UNLIMITED_PERIOD) return null;
    if (!/^\d+$/.test(part) || Number(part) > MAX_LIMIT) throw new Error(usage);
    return Number(part);
  });
  return { daily: values[0], weekly: values[1], monthly: values[2] };
}

const MAX_WEI = 2n ** 256n - 1n;

/** One budget amount: whole wei ("50000000000000000"), or ether / gwei with up to 18 / 9 decimals ("0.05ether", "30gwei"). */
function parseWei(part: string): bigint | undefined {
  const match = /^(\d+(?:\.\d+)?)(ether|gwei)?$/.exec(part);
  if (!match) return undefined;
  const [, amount, unit = 'wei'] = match;
  const wei = weiOf(amount, unit as EthUnit);
  return wei !== undefined && wei <= MAX_WEI ? wei : undefined;
}

/** Parses "0.05ether/0.2ether/1ether" (daily/weekly/monthly; plain integers are wei); "-" = no budget for that period. */
export function parseGasBudget(spec: string, flag: string): WeiLimits {
  const parts = spec.split('/').map((s) => s.trim());
  const usage = `--${flag} must be DAILY/WEEKLY/MONTHLY, e.g. 0.05ether/0.2ether/1ether (wei, or a number with ether or gwei, or - for no budget), not '${spec}'`;
  if (parts.length !== QUOTA_PERIODS.length) throw new Error(usage);
  const values = parts.map((part) => {
    if (part === UNLIMITED_PERIOD) return null;
    const wei = parseWei(part);
    if (wei === undefined) throw new Error(usage);
    return wei;
  });
  return { daily: values[0], weekly: values[1], monthly: values[2] };
}

const budgetView = (limits: WeiLimits | null) =>
  limits && (Object.fromEntries(QUOTA_PERIODS.map((period) => [period, limits[period]?.toString() ?? null])) as Record<keyof PeriodLimits, string | null>);

export function toPolicyView(clientId: string, policy: StoredPolicy | undefined): PolicyView {
  const limits = policy ? limitsOf(policy, QUOTA_OPERATION_TYPES) : undefined;
  return {
    clientId,
    configured: policy !== undefined,
    enabled: policy?.enabled ?? false,
    limits: Object.fromEntries(QUOTA_OPERATION_TYPES.map((op) => [op, limits && isLimited(limits[op]) ? limits[op] : null])) as PolicyView['limits'],
    gasBudgets: Object.fromEntries(GAS_BUDGET_SCOPES.map((scope) => [scope, budgetView(gasBudgetsOf(policy?.gas_budgets)[scope])])) as PolicyView['gasBudgets'],
    updatedAt: policy ? new Date(policy.updated_at).toISOString() : null,
  };
}

async function requireClient(db: Db, clientId: string): Promise<void> {
  if (!(await findClient(db, clientId))) throw new ClientNotFoundError(clientId);
}

/**
 * Replaces the client's limits and gas budgets: an operation, or a budget scope, not given is
 * unlimited. Keeps an existing enabled flag.
 */
export async function setPolicy(
  db: Db,
  clientId: string,
  given: Partial<Record<QuotaOperation, PeriodLimits>>,
  gasBudgets: Partial<GasBudgets> = {},
): Promise<PolicyView> {
  await requireClient(db, clientId);
  const limits = Object.fromEntries(QUOTA_OPERATION_TYPES.flatMap((op) => (given[op] ? [[op, given[op]]] : [])));
  const rows = gasBudgetRows({ client: gasBudgets.client ?? null, user: gasBudgets.user ?? null });
  return toPolicyView(clientId, await upsertPolicy(db, { clientId, limits, gasBudgets: rows }));
}

export async function enablePolicy(db: Db, clientId: string, enabled: boolean): Promise<PolicyView> {
  await requireClient(db, clientId);
  const policy = await setPolicyEnabled(db, { clientId, enabled });
  if (!policy) throw new PolicyNotFoundError(clientId);
  return toPolicyView(clientId, policy);
}

/** Removes the policy: the client's operations are no longer quota-limited and /quota/check is a 404. */
export async function clearPolicy(db: Db, clientId: string): Promise<PolicyView> {
  await requireClient(db, clientId);
  await deletePolicy(db, clientId);
  return toPolicyView(clientId, undefined);
}

export async function showPolicy(db: Db, clientId: string): Promise<PolicyView> {
  await requireClient(db, clientId);
  return toPolicyView(clientId, await findStoredPolicy(db, clientId));
}

/** "0.05 ether/day, unlimited/week, 1 ether/month" or "none", for people. */
export function describeGasBudget(budget: PolicyView['gasBudgets'][GasBudgetScope]): string {
  if (!budget) return 'none';
  const unit: Record<keyof PeriodLimits, string> = { daily: 'day', weekly: 'week', monthly: 'month' };
  return QUOTA_PERIODS.map((period) => {
    const wei = budget[period];
    return `${wei === null ? 'unlimited' : `${formatEther(BigInt(wei))} ether`}/${unit[period]}`;
  }).join(', ');
}

/** "10/day, 50/week, 200/month" or "unlimited", for people. */
export function describeLimits(limits: PeriodLimits | null): string {
  if (!limits) return 'unlimited';
  const unit: Record<keyof PeriodLimits, string> = { daily: 'day', weekly: 'week', monthly: 'month' };
  return QUOTA_PERIODS.map((period) => `${limits[period] ?? 'unlimited'}/${unit[period]}`).join(', ');
}
