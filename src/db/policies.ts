// Transaction policies (per-user quotas of a client) and the usage they are measured against. A policy
// is its row (the enabled flag) and its quota rows, one per limited (operation type, period); the
// operation types are whatever the caller names (src/policy/quota.ts takes them from the registry).
import { sql, type Expression, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, TransactionPolicy } from './schema.js';
import { NOT_EXECUTED } from '../statuses.js';
import { gasBudgetsJson, replaceGasBudgets, type GasBudgetRow, type StoredGasBudgets } from './gas-budgets.js';

import { QUOTA_PERIODS, type QuotaPeriod } from './quota-periods.js';

export { QUOTA_PERIODS, type QuotaPeriod };

/** A limit per period; null = no limit for that period. */
export type PeriodLimits = Record<QuotaPeriod, number | null>;
export type PeriodCounts = Record<QuotaPeriod, number>;

/** `${type}_${period}`: the name a limit had as a column before quotas became rows (migration 0009). */
export type LimitKey = `${string}_${QuotaPeriod}`;
export const limitKey = (type: string, period: QuotaPeriod): LimitKey => `${type}_${period}`;

/**
 * A policy as stored: its row, one key per quota row (a key absent = that limit is not set) and its gas
 * budget rows (src/db/gas-budgets.ts).
 */
export type StoredPolicy = TransactionPolicy & { [key: LimitKey]: number | null | undefined } & { gas_budgets?: StoredGasBudgets };

type Queryable = Db | DbTransaction<Database>;

/** The client's quota rows as one JSON object of limit keys ('{}' when there are none). */
function limitsJson(clientId: Expression<string> | RawBuilder<string> | string): RawBuilder<Record<LimitKey, number>> {
  return sql`coalesce((select jsonb_object_agg(q.operation_type || '_' || q.period, q.max_count) from transaction_quotas as q where q.client_id = ${clientId}), '{}'::jsonb)`;
}

/** The policy of the client `clientId` names (a column reference), as one JSON object, or null without one. */
export function storedPolicyJson(clientId: Expression<string> | RawBuilder<string>): RawBuilder<StoredPolicy | null> {
  return sql`(select to_jsonb(p) || ${limitsJson(sql.ref('p.client_id'))} || jsonb_build_object('gas_budgets', ${gasBudgetsJson(sql.ref('p.client_id'))}) from transaction_policies as p where p.client_id = ${clientId})`;
}

export async function findStoredPolicy(db: Queryable, clientId: string): Promise<StoredPolicy | undefined> {
  const row = await db
    .selectFrom('transaction_policies')
    .selectAll()
    .select(limitsJson(sql.ref('transaction_policies.client_id')).as('limits'))
    .select(gasBudgetsJson(sql.ref('transaction_policies.client_id')).as('gas_budgets'))
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { limits, gas_budgets, ...policy } = row;
  return { ...policy, ...limits, gas_budgets };
}

/** The limits of `types` in a stored policy; a type without quota rows is unlimited in every period. */
export function limitsOf<Type extends string>(policy: StoredPolicy, types: readonly Type[]): Record<Type, PeriodLimits> {
  const of = (type: Type) => Object.fromEntries(QUOTA_PERIODS.map((period) => [period, policy[limitKey(type, period)] ?? null])) as PeriodLimits;
  return Object.fromEntries(types.map((type) => [type, of(type)])) as Record<Type, PeriodLimits>;
}

/**
 * Replaces the client's limits with `limits` (a type or period left out, or null, is unlimited) and its
 * gas budgets with `gasBudgets`; a new policy starts enabled, an existing one keeps its enabled flag.
 */
export async function upsertPolicy(
  db: Db,
  { clientId, limits, gasBudgets = [] }: { clientId: string; limits: Record<string, PeriodLimits>; gasBudgets?: readonly GasBudgetRow[] },
): Promise<StoredPolicy> {
  const rows = Object.entries(limits).flatMap(([type, periods]) =>
    QUOTA_PERIODS.flatMap((period) => {
      const maxCount = periods[period];
      return maxCount === null ? [] : [{ client_id: clientId, operation_type: type, period, max_count: maxCount }];
    }),
  );
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('transaction_policies')
      .values({ client_id: clientId })
      .onConflict((oc) => oc.column('client_id').doUpdateSet({ updated_at: sql`now()` }))
      .execute();
    await trx.deleteFrom('transaction_quotas').where('client_id', '=', clientId).execute();
    if (rows.length) await trx.insertInto('transaction_quotas').values(rows).execute();
    await replaceGasBudgets(trx, { clientId, rows: gasBudgets });
    return (await findStoredPolicy(trx, clientId))!;
  });
}

export async function setPolicyEnabled(db: Db, { clientId, enabled }: { clientId: string; enabled: boolean }): Promise<StoredPolicy | undefined> {
  const updated = await db.updateTable('transaction_policies').set({ enabled, updated_at: sql`now()` }).where('client_id', '=', clientId).executeTakeFirst();
  return updated.numUpdatedRows > 0n ? findStoredPolicy(db, clientId) : undefined;
}

/** Removes the policy and, by the foreign keys' cascade, its quota and gas budget rows. */
export async function deletePolicy(db: Db, clientId: string): Promise<boolean> {
  const result = await db.deleteFrom('transaction_policies').where('client_id', '=', clientId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

const noUsage = <Type extends string>(types: readonly Type[]) =>
  Object.fromEntries(types.map((type) => [type, { daily: 0, weekly: 0, monthly: 0 }])) as Record<Type, PeriodCounts>;

/**
 * How many operations of each type this user has had accepted in the current UTC day, ISO week
 * (from Monday 00:00 UTC) and calendar month, FAILED and EXPIRED ones excluded. Periods are taken
 * from the database clock (`now()`: inside the accept transaction, the time its row gets), or `at`.
 */
export async function countQuotaUsage<Type extends string>(
  db: Queryable,
  {
    clientId,
    userId,
    types,
    countedAs,
    at,
  }: {
    clientId: string;
    userId: string;
    types: readonly Type[];
    countedAs?: readonly CountedAs[];
    at?: Date;
  },
): Promise<Record<Type, PeriodCounts>> {
  return (await countQuotaUsageOfUsers(db, { clientId, userIds: [userId], types, countedAs, at })).get(userId)!;
}

/** Rows of `type` also count in the quota of `as`, each as many times as its counts_as_units says. */
export type CountedAs = { type: string; as: string };

/** Operations of each of `types` each user has had counted in the current day, week and month (UTC). */
export async function countQuotaUsageOfUsers<Type extends string>(
  db: Queryable,
  {
    clientId,
    userIds,
    types,
    countedAs = [],
    at,
  }: {
    clientId: string;
    userIds: readonly string[];
    types: readonly Type[];
    countedAs?: readonly CountedAs[];
    at?: Date;
  },
): Promise<Map<string, Record<Type, PeriodCounts>>> {
  const usage = new Map(userIds.map((userId) => [userId, noUsage(types)]));
  if (types.length === 0 || userIds.length === 0) return usage;
  const alsoCounted = countedAs.filter((c) => (types as readonly string[]).includes(c.as));
  // Each row once in its own type's count, and the rows of a type counted as another in that one too,
  // by their units. Both read the partial index transactions_quota_usage, whose status filter is
  // spelled exactly so here.
  const ofTypes = (typeList: readonly string[]) =>
    sql`client_id = ${clientId} and user_id = any(${[...userIds]}::text[]) and type in (${sql.join([...typeList])})
      and status not in (${sql.join(NOT_EXECUTED.map((status) => sql.lit(status)))})
      and created_at >= (select least(week_start, month_start) from period)`;
  const counted = [
    sql`select user_id, type, 1 as units, created_at from transactions where ${ofTypes(types)}`,
    ...alsoCounted.map((c) => sql`select user_id, ${c.as}::text as type, counts_as_units as units, created_at from transactions where ${ofTypes([c.type])}`),
  ];
  const { rows } = await sql<{ user_id: string; type: Type; daily: string; weekly: string; monthly: string }>`
    with period as (
      select date_trunc('day', t, 'UTC') as day_start, date_trunc('week', t, 'UTC') as week_start, date_trunc('month', t, 'UTC') as month_start
      from (select coalesce(${at ?? null}::timestamptz, now()) as t) as clock
    ),
    counted as (${sql.join(counted, sql` union all `)})
    select user_id, type,
      coalesce(sum(units) filter (where created_at >= day_start), 0) as daily,
      coalesce(sum(units) filter (where created_at >= week_start), 0) as weekly,
      coalesce(sum(units) filter (where created_at >= month_start), 0) as monthly
    from counted, period
    group by user_id, type
  `.execute(db);
  for (const row of rows) usage.get(row.user_id)![row.type] = { daily: Number(row.daily), weekly: Number(row.weekly), monthly: Number(row.monthly) };
  return usage;
}
