// Transaction policies (per-user quotas of a client) and the usage they are measured against.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, TransactionPolicy } from './schema.js';
import type { OperationType } from '../operations/index.js';
import { NOT_EXECUTED } from '../statuses.js';

export const QUOTA_OPERATIONS = ['mint', 'transfer', 'claim'] as const satisfies readonly OperationType[];
export const QUOTA_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

/** A limit per period; null = no limit for that period. */
export type PeriodLimits = Record<QuotaPeriod, number | null>;
export type PolicyLimits = Record<OperationType, PeriodLimits>;
export type PeriodCounts = Record<QuotaPeriod, number>;

type Queryable = Db | DbTransaction<Database>;

export async function findPolicy(db: Queryable, clientId: string): Promise<TransactionPolicy | undefined> {
  return db.selectFrom('transaction_policies').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export function limitsOf(policy: TransactionPolicy): PolicyLimits {
  const of = (op: OperationType): PeriodLimits => ({
    daily: policy[`${op}_daily` as const],
    weekly: policy[`${op}_weekly` as const],
    monthly: policy[`${op}_monthly` as const],
  });
  return { mint: of('mint'), transfer: of('transfer'), claim: of('claim') };
}

function columnsOf(limits: PolicyLimits) {
  return {
    mint_daily: limits.mint.daily,
    mint_weekly: limits.mint.weekly,
    mint_monthly: limits.mint.monthly,
    transfer_daily: limits.transfer.daily,
    transfer_weekly: limits.transfer.weekly,
    transfer_monthly: limits.transfer.monthly,
    claim_daily: limits.claim.daily,
    claim_weekly: limits.claim.weekly,
    claim_monthly: limits.claim.monthly,
  };
}

/** Replaces the client's limits; a new policy starts enabled, an existing one keeps its enabled flag. */
export async function upsertPolicy(db: Db, { clientId, limits }: { clientId: string; limits: PolicyLimits }): Promise<TransactionPolicy> {
  const columns = columnsOf(limits);
  return db
    .insertInto('transaction_policies')
    .values({ client_id: clientId, ...columns })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ ...columns, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setPolicyEnabled(db: Db, { clientId, enabled }: { clientId: string; enabled: boolean }): Promise<TransactionPolicy | undefined> {
  return db.updateTable('transaction_policies').set({ enabled, updated_at: sql`now()` }).where('client_id', '=', clientId).returningAll().executeTakeFirst();
}

export async function deletePolicy(db: Db, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('transaction_policies').where('client_id', '=', clientId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

const noUsage = () => Object.fromEntries(QUOTA_OPERATIONS.map((op) => [op, { daily: 0, weekly: 0, monthly: 0 }])) as Record<OperationType, PeriodCounts>;

/**
 * How many operations of each type this user has had accepted in the current UTC day, ISO week
 * (from Monday 00:00 UTC) and calendar month, FAILED and EXPIRED ones excluded. Periods are taken
 * from the database clock (`now()`: inside the accept transaction, the time its row gets), or `at`.
 */
export async function countQuotaUsage(
  db: Queryable,
  {
    clientId,
    userId,
    types,
    at,
  }: {
    clientId: string;
    userId: string;
    types: readonly OperationType[];
    at?: Date;
  },
): Promise<Record<OperationType, PeriodCounts>> {
  return (await countQuotaUsageOfUsers(db, { clientId, userIds: [userId], types, at })).get(userId)!;
}

/** Operations of each type each user has had counted in the current day, week and month (UTC). */
export async function countQuotaUsageOfUsers(
  db: Queryable,
  {
    clientId,
    userIds,
    types,
    at,
  }: {
    clientId: string;
    userIds: readonly string[];
    types: readonly OperationType[];
    at?: Date;
  },
): Promise<Map<string, Record<OperationType, PeriodCounts>>> {
  const usage = new Map(userIds.map((userId) => [userId, noUsage()]));
  if (types.length === 0 || userIds.length === 0) return usage;
  // The status filter is spelled exactly as the partial index transactions_quota_usage is.
  const { rows } = await sql<{ user_id: string; type: OperationType; daily: string; weekly: string; monthly: string }>`
    with period as (
      select date_trunc('day', t, 'UTC') as day_start, date_trunc('week', t, 'UTC') as week_start, date_trunc('month', t, 'UTC') as month_start
      from (select coalesce(${at ?? null}::timestamptz, now()) as t) as clock
    )
    select user_id, type,
      count(*) filter (where created_at >= day_start) as daily,
      count(*) filter (where created_at >= week_start) as weekly,
      count(*) filter (where created_at >= month_start) as monthly
    from transactions, period
    where client_id = ${clientId} and user_id = any(${[...userIds]}::text[]) and type in (${sql.join([...types])})
      and status not in (${sql.join(NOT_EXECUTED.map((status) => sql.lit(status)))})
      and created_at >= least(week_start, month_start)
    group by user_id, type
  `.execute(db);
  for (const row of rows) usage.get(row.user_id)![row.type] = { daily: Number(row.daily), weekly: Number(row.weekly), monthly: Number(row.monthly) };
  return usage;
}
