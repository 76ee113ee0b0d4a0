// Transaction rows written straight into the database with one generate_series statement, for the
// listing and export tests: thousands of rows in a moment, with the dates, statuses and users chosen.
import type pg from 'pg';
import { randomBytes } from 'node:crypto';

export type TransactionRows = {
  clientId: string;
  count: number;
  /** Row i is created at `newest` minus `i * stepMs` (rows sharing a timestamp when stepMs is 0). */
  newest?: Date;
  stepMs?: number;
  /** Cycled through by row number. */
  users?: string[];
  statuses?: string[];
  types?: string[];
};

/** Inserts the rows and returns their ids newest first (created_at desc, id desc, as the listing orders). */
export async function insertTransactionRows(pool: pg.Pool, rows: TransactionRows): Promise<string[]> {
  // A tag of this call keeps ids unique across calls; the row number keeps them distinct within one.
  const tag = BigInt(`0x${randomBytes(4).toString('hex')}`)
    .toString(36)
    .padStart(7, '0');
  const { rows: inserted } = await pool.query<{ id: string }>(
    `insert into transactions (id, client_id, user_id, wallet_address, type, status, params, created_at, updated_at)
     select 'tx_' || $2 || lpad(i::text, 19, '0'), $1,
       ($5::text[])[1 + i % cardinality($5::text[])],
       '0x' || lpad(to_hex(i), 40, '0'),
       ($7::text[])[1 + i % cardinality($7::text[])],
       ($6::text[])[1 + i % cardinality($6::text[])],
       '{}'::jsonb, $3::timestamptz - i * $4 * interval '1 millisecond', $3::timestamptz - i * $4 * interval '1 millisecond'
     from generate_series(0, $8::int - 1) as i
     returning id`,
    [
      rows.clientId,
      tag,
      (rows.newest ?? new Date()).toISOString(),
      rows.stepMs ?? 1000,
      rows.users ?? ['user-a'],
      rows.statuses ?? ['CONFIRMED'],
      rows.types ?? ['transfer'],
      rows.count,
    ],
  );
  const ids = inserted.map((r) => r.id);
  const { rows: ordered } = await pool.query<{ id: string }>(`select id from transactions where id = any($1) order by created_at desc, id desc`, [ids]);
  return ordered.map((r) => r.id);
}
