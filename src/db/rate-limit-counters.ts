// The sliding-window counter as one atomic statement. Each (subject, category) row holds the request
// count of the current fixed window and of the previous one; the estimate of "requests in the last
// window" is `current + previous × (share of the previous window still inside the sliding window)`.
// The decision and the increment happen in one INSERT … ON CONFLICT DO UPDATE, under the row lock that
// statement takes, so any number of API processes sharing the database never let more through than
// the limit. Time comes from the database clock, which every process shares.
//
// `touched_at_ms` is the time of the last request let through (a refused one leaves it alone): every
// counted request is at least that old, so once one window has passed since then none of them is in
// the sliding window any more, whatever the estimate's even-spread assumption says. Without that
// fact a burst at the start of a slot would be held up to a window and a tenth (limit 10) and a
// Retry-After could exceed the window (src/policy/sliding-window.ts does the same arithmetic).
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './connect.js';

export type RateLimitHitParameters = {
  /** Who is counted: 'client:<id>', or 'ip:<address>'. */
  subject: string;
  category: string;
  windowMs: number;
  /** The limit, unless `limitOverrideOf` names a client whose `rate_limits[category]` overrides it. */
  limit: number;
  limitOverrideOf?: string;
  /** For tests: the time of the request (ms since the epoch); the database clock otherwise. */
  nowMs?: number;
  /** Requests counted at once (coalesced); as many as fit are let through, in order. Default 1. */
  count?: number;
};

export type RateLimitHit = {
  /** How many of the `count` requests were let through: the first `admittedCount` of them. */
  admittedCount: number;
  limit: number;
  /** Counts after these requests (a refused request is not counted). */
  current: number;
  previous: number;
  windowStartMs: number;
  nowMs: number;
  /** When the last request was let through (this one, if it was). */
  lastAdmittedMs: number;
};

export async function hitRateLimitCounter(db: Db, p: RateLimitHitParameters): Promise<RateLimitHit> {
  const windowMs = sql`${p.windowMs}::bigint`;
  // At least 1: a hand-edited override of 0 must not turn every request into an error.
  const limit: RawBuilder<unknown> =
    p.limitOverrideOf === undefined
      ? sql`greatest(1, ${p.limit}::integer)`
      : sql`greatest(1, coalesce((select (rate_limits ->> ${p.category})::integer from clients where id = ${p.limitOverrideOf}), ${p.limit}::integer))`;
  // Every counted request was let through at least one window ago: none of them weighs any more.
  const allAged = sql`c.touched_at_ms <= excluded.touched_at_ms - ${windowMs}`;
  // The stored row's window is this request's window (or, if the clock stepped back, a later one).
  const sameWindow = sql`c.window_start_ms >= excluded.window_start_ms`;
  const current = sql`(case when ${allAged} then 0 when ${sameWindow} then c.current_count else 0 end)`;
  const previous = sql`(case when ${allAged} then 0 when ${sameWindow} then c.previous_count
    when c.window_start_ms = excluded.window_start_ms - ${windowMs} then c.current_count else 0 end)`;
  const windowStart = sql`greatest(c.window_start_ms, excluded.window_start_ms)`;
  // Share of the previous window that still lies inside the sliding window ending now.
  const previousWeight = sql`greatest(0::float8, least(1::float8, (${windowStart} + ${windowMs} - excluded.touched_at_ms)::float8 / ${windowMs}))`;
  // Requests that fit: current + k + previous × weight ≤ limit (for one request, exactly the single-hit rule).
  const count = sql`${p.count ?? 1}::integer`;
  const admitted = sql`greatest(0, least(${count}, floor(excluded.limit_value - ${current} - ${previous} * ${previousWeight})::integer))`;

  const { rows } = await sql<{
    admitted_count: number;
    limit_value: number;
    current_count: number;
    previous_count: number;
    window_start_ms: string;
    touched_at_ms: string;
    now_ms: string;
  }>`
    with request as (
      select coalesce(${p.nowMs ?? null}::bigint, floor(extract(epoch from clock_timestamp()) * 1000)::bigint) as now_ms
    ), hit as (
    insert into rate_limit_counters as c
      (subject, category, window_start_ms, current_count, previous_count, limit_value, admitted, admitted_count, touched_at_ms)
    select ${p.subject}, ${p.category}, now_ms - now_ms % ${windowMs}, least(${count}, lim), 0, lim, true, least(${count}, lim), now_ms
    from request, (select ${limit} as lim) as limit_value
    on conflict (subject, category) do update set
      window_start_ms = ${windowStart},
      previous_count = ${previous},
      current_count = ${current} + ${admitted},
      limit_value = excluded.limit_value,
      admitted = ${admitted} > 0,
      admitted_count = ${admitted},
      touched_at_ms = case when ${admitted} > 0 then excluded.touched_at_ms else c.touched_at_ms end
    returning admitted_count, limit_value, current_count, previous_count, window_start_ms, touched_at_ms
  ), request_time as (select now_ms from request)
  select hit.*, request_time.now_ms from hit, request_time
  `.execute(db);
  const row = rows[0];
  return {
    admittedCount: row.admitted_count,
    limit: row.limit_value,
    current: row.current_count,
    previous: row.previous_count,
    windowStartMs: Number(row.window_start_ms),
    nowMs: Number(row.now_ms),
    lastAdmittedMs: Number(row.touched_at_ms),
  };
}

/** Deletes counters with nothing let through for `olderThanMs`: once a window has passed they weigh nothing. */
export async function pruneRateLimitCounters(db: Db, { olderThanMs }: { olderThanMs: number }): Promise<number> {
  const result = await sql`
    delete from rate_limit_counters
    where touched_at_ms < floor(extract(epoch from clock_timestamp()) * 1000)::bigint - ${olderThanMs}::bigint
  `.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * Takes back one request counted at `windowStartMs` (e.g. a token request that turned out to be no
 * failure): from the current slot if it is still that one, from the previous slot if time moved on.
 */
export async function refundRateLimitHit(db: Db, p: { subject: string; category: string; windowStartMs: number; windowMs: number }): Promise<void> {
  await sql`
    update rate_limit_counters set
      current_count = case when window_start_ms = ${p.windowStartMs}::bigint then greatest(0, current_count - 1) else current_count end,
      previous_count = case when window_start_ms = ${p.windowStartMs}::bigint + ${p.windowMs}::bigint then greatest(0, previous_count - 1) else previous_count end
    where subject = ${p.subject} and category = ${p.category}
  `.execute(db);
}
