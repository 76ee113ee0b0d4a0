// What sponsoring has cost lately: the gas of the operations settled (CONFIRMED or REVERTED, the
// rows with a gas_cost_wei) within a window, for the paymaster's spend rate.
import { sql } from 'kysely';
import type { Db } from './connect.js';

export async function settledGasCostSince(db: Db, { seconds }: { seconds: number }): Promise<bigint> {
  const { rows } = await sql<{ total: string | null }>`
    select sum(gas_cost_wei)::text as total from transactions
    where gas_cost_wei is not null and updated_at > clock_timestamp() - make_interval(secs => ${seconds})
  `.execute(db);
  return BigInt(rows[0]?.total ?? 0);
}
