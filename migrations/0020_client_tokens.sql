-- The client's tokens (README, Payments: the client's tokens): its own ChronosToken comes first and
-- every operation uses it unless the request names another; `chronos tokens add` lets its operations
-- move other 18-decimal ERC-20 tokens too, and `chronos tokens set-limits` bounds the amount one
-- operation may move in a token (its own included: a row for it holds only its limits).
create table client_tokens (
  client_id      text not null references clients (id),
  token_address  text not null check (token_address ~ '^0x[0-9a-f]{40}$'),
  symbol         text not null,
  name           text not null,
  decimals       integer not null check (decimals = 18),
  min_amount_wei numeric(78, 0) check (min_amount_wei > 0),
  max_amount_wei numeric(78, 0) check (max_amount_wei > 0),
  added_at       timestamptz not null default now(),
  primary key (client_id, token_address),
  check (min_amount_wei is null or max_amount_wei is null or min_amount_wei <= max_amount_wei)
);
