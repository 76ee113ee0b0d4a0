// The rows the status-read phase measures against: CONFIRMED transfers of one client, spread over
// BULK_USERS users, each with a stored UserOperation of realistic size and the four transitions a
// confirmed transfer has, bulk-inserted with generate_series, one second apart.
import type pg from 'pg';

/** Users the rows are spread over, round robin: at 1,000,000 rows each has 100, at 1,000 rows at most one. */
export const BULK_USERS = 10_000;

/** Ids the bulk insert gives: `tx_` and the row number, zero-padded to the 26 characters of a ULID. */
export function idOf(n: number): string {
  return `tx_${String(n).padStart(26, '0')}`;
}

/** The user of row n (as the insert writes it). */
export function userOf(n: number): string {
  return `user-${n % BULK_USERS}`;
}

/** A stored UserOperation of the size a sponsored SimpleAccount transfer has (~1 kB of JSON). */
const USER_OP = JSON.stringify({
  sender: `0x${'5a'.repeat(20)}`,
  nonce: '0x3',
  callData: `0xb61d27f6${'00'.repeat(160)}`,
  callGasLimit: '0x5f1b',
  verificationGasLimit: '0x10f5c',
  preVerificationGas: '0xb7c4',
  maxFeePerGas: '0x3b9aca00',
  maxPriorityFeePerGas: '0x3b9aca00',
  paymaster: `0x${'7e'.repeat(20)}`,
  paymasterVerificationGasLimit: '0x8a2b',
  paymasterPostOpGasLimit: '0x1',
  paymasterData: `0x${'00'.repeat(12)}${'c3'.repeat(65)}`,
  signature: `0x${'d4'.repeat(65)}`,
});

/**
 * Rows from..to as fast as this box allows: secondary indexes and unique constraints dropped first
 * and built again after (one sort instead of a million random inserts), each table filled by two
 * concurrent statements over the two halves of the range (one per core) on sessions that skip
 * foreign-key triggers (every reference is right by construction), then VACUUM ANALYZE, as autovacuum
 * would have done on a table that grew over time. Seconds per step.
 */
export async function insertConfirmed(pool: pg.Pool, clientId: string, from: number, to: number): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  const timed = async (step: string, run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    seconds[step] = (performance.now() - t0) / 1000;
  };
  const mid = Math.floor((from + to) / 2);
  const halves: [number, number][] =
    mid >= from && mid < to
      ? [
          [from, mid],
          [mid + 1, to],
        ]
      : [[from, to]];
  const inParallel = (sqlText: string, params: (lo: number, hi: number) => unknown[]) =>
    Promise.all(
      halves.map(async ([lo, hi]) => {
        const c = await pool.connect();
        try {
          await c.query('set session_replication_role = replica');
          await c.query(sqlText, params(lo, hi));
        } finally {
          await c.query('set session_replication_role = default').catch(() => {});
          c.release();
        }
      }),
    );
  const rebuild = await dropSecondaryIndexes(pool, ['transactions', 'transaction_transitions']);
  await timed('transactions', () =>
    inParallel(
      `
    insert into transactions (id, client_id, user_id, wallet_address, type, status, params, debit_wei, user_op, user_op_hash,
                              submitted_block, submitted_at, deadline_at, tx_hash, block_number, gas_used, gas_cost_wei, created_at, updated_at)
    select 'tx_' || lpad(i::text, 26, '0'), $1, 'user-' || (i % $6::int), '0x' || lpad(to_hex(i % $6::int), 40, '0'), 'transfer', 'CONFIRMED',
           jsonb_build_object('to', '0x000000000000000000000000000000000000dEaD', 'amountWei', '1000000000000000'), 1000000000000000,
           $2::jsonb, '0x' || encode(sha256(('op-' || i)::bytea), 'hex'),
           i, t, t + interval '120 seconds', '0x' || encode(sha256(('tx-' || i)::bytea), 'hex'), i, 151234, 151234000000000, t, t + interval '200 ms'
    from generate_series($3::int, $4::int) as i, lateral (select now() - ($5::int - i) * interval '1 second' as t) as at`,
      (lo, hi) => [clientId, USER_OP, lo, hi, to, BULK_USERS],
    ),
  );
  await timed('transitions', () =>
    inParallel(
      `
    insert into transaction_transitions (transaction_id, from_status, to_status, reason, at)
    select 'tx_' || lpad(i::text, 26, '0'), s.from_status, s.to_status, s.reason, now() - ($3::int - i) * interval '1 second' + s.after
    from generate_series($1::int, $2::int) as i
    cross join (values (null, 'ACCEPTED', 'accepted', interval '0'),
                       ('ACCEPTED', 'SUBMITTING', 'worker picked it up', interval '5 ms'),
                       ('SUBMITTING', 'SUBMITTED', 'sent to the bundler', interval '90 ms'),
                       ('SUBMITTED', 'CONFIRMED', 'included on-chain', interval '200 ms')) as s(from_status, to_status, reason, after)`,
      (lo, hi) => [lo, hi, to],
    ),
  );
  await timed('indexes', () => Promise.all(rebuild.map((statement) => pool.query(statement))));
  await timed('vacuum', () => pool.query('vacuum (analyze) transactions, transaction_transitions'));
  return seconds;
}

/** Drops every index and unique constraint of the tables but their primary keys; returns the statements that rebuild them. */
async function dropSecondaryIndexes(pool: pg.Pool, tables: string[]): Promise<string[]> {
  const { rows: constraints } = await pool.query(
    `
    select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def from pg_constraint
    where contype = 'u' and conrelid = any($1::regclass[])`,
    [tables],
  );
  const { rows: indexes } = await pool.query(
    `
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def from pg_index i
    where i.indrelid = any($1::regclass[]) and not i.indisprimary
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [tables],
  );
  for (const c of constraints) await pool.query(`alter table ${c.tbl} drop constraint ${c.conname}`);
  for (const i of indexes) await pool.query(`drop index ${i.name}`);
  return [...constraints.map((c) => `alter table ${c.tbl} add constraint ${c.conname} ${c.def}`), ...indexes.map((i) => i.def as string)];
}
