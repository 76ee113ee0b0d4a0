// Operator actions on transaction policies (the CLI's `policy …` commands).
import type { Db } from '../db/connect.js';
import type { TransactionPolicy } from '../db/schema.js';
import type { OperationType } from '../operations/index.js';
import { findClient } from '../db/clients.js';
import {
  QUOTA_OPERATIONS,
  QUOTA_PERIODS,
  deletePolicy,
  findPolicy,
  limitsOf,
  setPolicyEnabled,
  upsertPolicy,
  type PeriodLimits,
  type PolicyLimits,
} from '../db/policies.js';
import { isLimited } from '../policy/quota.js';
import { ClientNotFoundError } from './clients.js';

export class PolicyNotFoundError extends Error {
  constructor(clientId: string) {
    super(`client '${clientId}' has no transaction policy; create one with \`chronos policy set ${clientId} --mint D/W/M …\``);
  }
}

export type PolicyView = {
  clientId: string;
  /** false: no policy, operations are not quota-limited. */
  configured: boolean;
  enabled: boolean;
  /** Per operation: null = unlimited; per period: null = that period is unlimited. */
  limits: Record<OperationType, PeriodLimits | null>;
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

export function toPolicyView(clientId: string, policy: TransactionPolicy | undefined): PolicyView {
  const limits = policy ? limitsOf(policy) : undefined;
  return {
    clientId,
    configured: policy !== undefined,
    enabled: policy?.enabled ?? false,
    limits: Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, limits && isLimited(limits[op]) ? limits[op] : null])) as PolicyView['limits'],
    updatedAt: policy ? new Date(policy.updated_at).toISOString() : null,
  };
}

async function requireClient(db: Db, clientId: string): Promise<void> {
  if (!(await findClient(db, clientId))) throw new ClientNotFoundError(clientId);
}

/** Replaces the client's limits: an operation not given is unlimited. Keeps an existing enabled flag. */
export async function setPolicy(db: Db, clientId: string, given: Partial<Record<OperationType, PeriodLimits>>): Promise<PolicyView> {
  await requireClient(db, clientId);
  const none: PeriodLimits = { daily: null, weekly: null, monthly: null };
  const limits = Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, given[op] ?? none])) as PolicyLimits;
  return toPolicyView(clientId, await upsertPolicy(db, { clientId, limits }));
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
  return toPolicyView(clientId, await findPolicy(db, clientId));
}

/** "10/day, 50/week, 200/month" or "unlimited", for people. */
export function describeLimits(limits: PeriodLimits | null): string {
  if (!limits) return 'unlimited';
  const unit: Record<keyof PeriodLimits, string> = { daily: 'day', weekly: 'week', monthly: 'month' };
  return QUOTA_PERIODS.map((period) => `${limits[period] ?? 'unlimited'}/${unit[period]}`).join(', ');
}
