// The SQL of the status writer (src/status/transition.ts, the one place status is written, decides
// which moves are allowed and what follows them): one statement per move, and the first history entry
// of new rows, composed into the statement that inserts them.
import { sql, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Database, Transaction, TransactionChanges, TransactionStatus } from './schema.js';

/** The channel every move is announced on (payload: the transaction id), to whoever waits on one. */
export const STATUS_CHANNEL = 'chronos_transaction_status';

export type StatusMove = Transaction & { from_status: TransactionStatus; since_seconds: number | null };

/**
 * One statement (it runs inside settlements and sends, whose commits wait on every round trip): lock
 * the row and read its status as it is now, move it to `to` if that status is one of `from`, record
 * the move and how long the old status lasted, and notify. Undefined when it was elsewhere.
 */
export async function moveTransactionStatus(
  trx: DbTransaction<Database>,
  {
    transactionId,
    from,
    to,
    reason,
    changes,
  }: {
    transactionId: string;
    from: readonly TransactionStatus[];
    to: TransactionStatus;
    reason?: string;
    changes: Omit<TransactionChanges, 'status' | 'id' | 'updated_at' | 'created_at'>;
  },
): Promise<StatusMove | undefined> {
  const moved = trx
    .updateTable('transactions')
    .set({ ...changes, status: to, updated_at: sql`clock_timestamp()` })
    .where('id', '=', transactionId)
    .where('status', 'in', from)
    // Makes the row lock below come first.
    .where(sql<boolean>`exists (select 1 from current)`)
    .returningAll();
  const { rows } = await sql<StatusMove>`
    with current as (select status from transactions where id = ${transactionId} for update),
    since as (
      select extract(epoch from clock_timestamp() - max(at))::float8 as seconds from transaction_transitions
      -- Since the status began: notes (from = to, e.g. a re-sponsoring) do not restart it.
      where transaction_id = ${transactionId} and from_status is distinct from to_status
    ),
    moved as (${moved}),
    history as (
      insert into transaction_transitions (transaction_id, from_status, to_status, reason)
      select id, (select status from current), ${to}, ${reason ?? null} from moved
    ),
    notified as (select pg_notify(${STATUS_CHANNEL}, id) from moved)
    select moved.*, (select status from current) as from_status, (select seconds from since) as since_seconds
    from moved where (select count(*) from notified) >= 0
  `.execute(trx);
  return rows[0];
}

/** The first history entry (ACCEPTED) of every row of `inserted`, a CTE with `id`. */
export function creationHistorySql(inserted: string): RawBuilder<unknown> {
  return sql`insert into transaction_transitions (transaction_id, from_status, to_status, reason)
    select id, null, 'ACCEPTED', 'accepted' from ${sql.table(inserted)}`;
}
