// Gas budgets (README, Gas budgets): their rows (part of a client's transaction policy, like its quota
// rows) and the usage they are measured against. Usage is read from the transactions themselves: an
// operation still active counts what it reserved at accept, a CONFIRMED or REVERTED one what it cost,
// a FAILED or EXPIRED one nothing. Settling an operation therefore writes nothing here; the status
// writer (src/status/transition.ts) stays the one place a transaction's status changes.
import { sql, type Expression, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, GasBudgetsTable } from './schema.js';
import type { QuotaPeriod } from './quota-periods.js';
import { ACTIVE, NOT_EXECUTED, TERMINAL } from '../statuses.js';

type Queryable = Db | DbTransaction<Database>;

export type GasBudgetScope = GasBudgetsTable['scope'];
/** `${scope}_${period}` → max wei (a decimal string), one key per budget row. */
export type StoredGasBudgets = Partial<Record<`${GasBudgetScope}_${QuotaPeriod}`, string>>;
export type GasBudgetRow = { scope: GasBudgetScope; period: QuotaPeriod; maxWei: bigint };
/** Wei used per period. */
export type PeriodWei = Record<QuotaPeriod, bigint>;

/** The client's budget rows as one JSON object ('{}' when there are none). */
export function gasBudgetsJson(clientId: Expression<string> | RawBuilder<string>): RawBuilder<StoredGasBudgets> {
  return sql`coalesce((select jsonb_object_agg(b.scope || '_' || b.period, b.max_wei::text) from gas_budgets as b where b.client_id = ${clientId}), '{}'::jsonb)`;
}

/** Replaces the client's budget rows (inside the transaction that upserts its policy row). */
export async function replaceGasBudgets(trx: DbTransaction<Database>, { clientId, rows }: { clientId: string; rows: readonly GasBudgetRow[] }): Promise<void> {
  await trx.deleteFrom('gas_budgets').where('client_id', '=', clientId).execute();
  if (rows.length === 0) return;
  await trx
    .insertInto('gas_budgets')
    .values(rows.map((row) => ({ client_id: clientId, scope: row.scope, period: row.period, max_wei: row.maxWei.toString() })))
    .execute();
}

/**
 * The per-client serialization point of a client budget: the client's policy row, locked (FOR NO KEY
 * UPDATE) until the accept transaction ends, in client order. A row, like the per-user locks
 * (src/db/user-locks.ts), so that nothing a client chooses can share it; taken after the user locks,
 * always, so two accepts cannot wait on each other. `policy set` updating the row waits for it too.
 */
export async function lockClientBudgets(trx: DbTransaction<Database>, clientIds: readonly string[]): Promise<void> {
  if (clientIds.length === 0) return;
  await sql`select client_id from transaction_policies where client_id = any(${[...clientIds]}::text[]) order by client_id for no key update`.execute(trx);
}

/** Final after running on-chain: they paid for their gas (gas_cost_wei). */
const EXECUTED = TERMINAL.filter((status) => !(NOT_EXECUTED as readonly string[]).includes(status));
const listed = (statuses: readonly string[]) => sql.join(statuses.map((status) => sql.lit(status)));

/** What one transaction counts against a budget, by status (see the file comment). */
const costOfRow = sql`case
  when t.status in (${listed(ACTIVE)}) then t.gas_reserved_wei
  when t.status in (${listed(NOT_EXECUTED)}) then 0
  when t.status in (${listed(EXECUTED)}) then coalesce(t.gas_cost_wei, t.gas_reserved_wei)
end`;

type UsageRow = { key: string; daily: string; weekly: string; monthly: string };

const toPeriodWei = (row: UsageRow): PeriodWei => ({ daily: BigInt(row.daily), weekly: BigInt(row.weekly), monthly: BigInt(row.monthly) });

/**
 * Wei used in the current UTC day, ISO week and month (database clock: inside the accept transaction,
 * the time its rows get; or `at`), grouped by `key` (the client, or the user). An index range scan:
 * transactions_client_listing for a client, transactions_client_user_listing for users.
 */
function usageSql({ clientId, userIds, at }: { clientId: string; userIds?: readonly string[]; at?: Date }) {
  const key = userIds ? sql.ref('t.user_id') : sql.ref('t.client_id');
  return sql<UsageRow>`
    with period as (
      select date_trunc('day', c.t, 'UTC') as day_start, date_trunc('week', c.t, 'UTC') as week_start, date_trunc('month', c.t, 'UTC') as month_start
      from (select coalesce(${at ?? null}::timestamptz, now()) as t) as c
    )
    select ${key} as key,
      coalesce(sum(${costOfRow}) filter (where t.created_at >= day_start), 0)::text as daily,
      coalesce(sum(${costOfRow}) filter (where t.created_at >= week_start), 0)::text as weekly,
      coalesce(sum(${costOfRow}) filter (where t.created_at >= month_start), 0)::text as monthly
    from transactions as t, period
    where t.client_id = ${clientId} ${userIds ? sql`and t.user_id = any(${[...userIds]}::text[])` : sql``}
      and t.created_at >= least(week_start, month_start)
    group by ${key}
  `;
}

const NOTHING: PeriodWei = { daily: 0n, weekly: 0n, monthly: 0n };

/** Wei the client's operations use of its budgets in the current periods. */
export async function sumClientGasUsage(db: Queryable, { clientId, at }: { clientId: string; at?: Date }): Promise<PeriodWei> {
  const { rows } = await usageSql({ clientId, at }).execute(db);
  return rows[0] ? toPeriodWei(rows[0]) : { ...NOTHING };
}

/** Wei each user's operations use of the per-user budgets in the current periods. */
export async function sumUserGasUsage(
  db: Queryable,
  { clientId, userIds, at }: { clientId: string; userIds: readonly string[]; at?: Date },
): Promise<Map<string, PeriodWei>> {
  const usage = new Map(userIds.map((userId) => [userId, { ...NOTHING }]));
  if (userIds.length === 0) return usage;
  const { rows } = await usageSql({ clientId, userIds, at }).execute(db);
  for (const row of rows) usage.set(row.key, toPeriodWei(row));
  return usage;
}

/**
 * Of these users, the ones with an operation that reached the chain (CONFIRMED or REVERTED: either
 * ran the account's deployment), so their next operation does not reserve a deployment.
 */
export async function findDeployedUsers(
  db: Queryable,
  users: readonly { clientId: string; userId: string }[],
): Promise<{ clientId: string; userId: string }[]> {
  if (users.length === 0) return [];
  const { rows } = await sql<{ client_id: string; user_id: string }>`
    select u.client_id, u.user_id
    from unnest(${users.map((u) => u.clientId)}::text[], ${users.map((u) => u.userId)}::text[]) as u(client_id, user_id)
    where exists (
      select 1 from transactions as t
      where t.client_id = u.client_id and t.user_id = u.user_id and t.status in (${listed(EXECUTED)})
    )
  `.execute(db);
  return rows.map((row) => ({ clientId: row.client_id, userId: row.user_id }));
}
