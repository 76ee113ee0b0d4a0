// The per-user lock of the accept path is the user's own wallet row (FOR NO KEY UPDATE), not an
// advisory lock on a hash of the user id: a row lock names exactly one (client, user), so no chosen
// X-User-Id can ever share a lock with another user, another client, the tracker's leader lock or the
// migration lock (a hashed key can: hashtextextended is easily inverted). Every accepting request has a
// wallet row already (no wallet, no accept), and nothing else locks or updates wallet rows.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Database } from './schema.js';

export type UserRef = { clientId: string; userId: string };

/** Postgres gave up waiting for a lock (lock_timeout). */
export const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Locks these users' wallet rows until the transaction ends, always in (client, user) order so that
 * concurrent accepts cannot deadlock, and sets the transaction's lock_timeout first: from here on any
 * lock wait of the transaction (these rows, an idempotency key or receipt another accept is inserting)
 * longer than `lockTimeoutMs` fails with LOCK_NOT_AVAILABLE instead of queueing every later accept.
 * `skipLocked`: never wait; lock what is free and return it, users missing from the answer are held by
 * another transaction. Otherwise returns every user with a wallet row.
 */
export async function lockUsers(
  trx: DbTransaction<Database>,
  users: readonly UserRef[],
  { skipLocked, lockTimeoutMs }: { skipLocked: boolean; lockTimeoutMs: number },
): Promise<UserRef[]> {
  if (users.length === 0) return [];
  // set_config in the same statement (no extra round trip): its one-row subquery is evaluated before
  // the join can produce the first row to lock. It is volatile, so the planner cannot fold it away.
  const { rows } = await sql<{ client_id: string; user_id: string }>`
    select w.client_id, w.user_id
    from (select set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeoutMs))}ms`}, true)) as timeout
    cross join unnest(${users.map((u) => u.clientId)}::text[], ${users.map((u) => u.userId)}::text[]) as u(client_id, user_id)
    join wallets as w on w.client_id = u.client_id and w.user_id = u.user_id
    order by w.client_id, w.user_id
    for no key update of w ${skipLocked ? sql`skip locked` : sql``}
  `.execute(trx);
  return rows.map((row) => ({ clientId: row.client_id, userId: row.user_id }));
}
