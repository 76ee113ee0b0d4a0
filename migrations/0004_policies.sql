-- Client policy (README, Limits): per-user transaction quotas and per-client sliding-window rate limits.

-- A client's transaction policy: how many operations of each type one user may have accepted per UTC
-- calendar day, week (from Monday) and month. NULL = no limit for that operation and period. A
-- disabled policy limits nothing; a client without a row is not quota-limited either.
create table transaction_policies (
  client_id         text primary key references clients(id),
  enabled           boolean not null default true,
  mint_daily        integer check (mint_daily >= 0),
  mint_weekly       integer check (mint_weekly >= 0),
  mint_monthly      integer check (mint_monthly >= 0),
  transfer_daily    integer check (transfer_daily >= 0),
  transfer_weekly   integer check (transfer_weekly >= 0),
  transfer_monthly  integer check (transfer_monthly >= 0),
  claim_daily       integer check (claim_daily >= 0),
  claim_weekly      integer check (claim_weekly >= 0),
  claim_monthly     integer check (claim_monthly >= 0),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);

-- Quota usage: this user's operations of one type since a period start, not counting FAILED and EXPIRED
-- ones (they give their unit back simply by no longer matching).
create index transactions_quota_usage on transactions (client_id, user_id, type, created_at)
  where status not in ('FAILED', 'EXPIRED');

-- Sliding-window counters, one row per (subject, category): the request count of the current fixed
-- window and of the one before it. Every request is one INSERT … ON CONFLICT DO UPDATE on its row, so
-- the decision is atomic across API processes (src/db/rate-limit-counters.ts).
create table rate_limit_counters (
  -- 'client:<id>' (or 'ip:<address>' for a token request without credentials).
  subject           text not null,
  category          text not null,
  window_start_ms   bigint not null,
  current_count     integer not null check (current_count >= 0),
  previous_count    integer not null check (previous_count >= 0),
  -- The limit that applied to the last request, and whether that request was let through.
  limit_value       integer not null check (limit_value > 0),
  admitted          boolean not null,
  touched_at_ms     bigint not null,
  primary key (subject, category)
);
-- Pruning rows whose windows no longer weigh anything.
create index rate_limit_counters_touched on rate_limit_counters (touched_at_ms);
