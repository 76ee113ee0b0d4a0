// What a user's operations of one type moved in a period, for a per-period value limit (a client's
// withdrawal limit, README, Withdrawals): read by the accept batch under the user's lock. An
// operation that executed nothing (FAILED, EXPIRED, REVERTED) moved nothing and does not count.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Database } from './schema.js';

export async function sumValueSince(
  trx: DbTransaction<Database>,
  { clientId, userId, type, since, token, own }: { clientId: string; userId: string; type: string; since: Date; token: string; own: boolean },
): Promise<bigint> {
  // Per token: a limit is in units of the token moved. Rows without a token were on the client's own.
  const { rows } = await sql<{ total: string }>`
    select coalesce(sum(debit_wei), 0)::text as total from transactions
    where client_id = ${clientId} and user_id = ${userId} and type = ${type}
      and status not in ('FAILED', 'EXPIRED', 'REVERTED') and created_at >= ${since}
      and (lower(token_address) = ${token.toLowerCase()} or (token_address is null and ${own}))`.execute(trx);
  return BigInt(rows[0].total);
}
