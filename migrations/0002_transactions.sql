-- Operations accepted over the API. Status moves only forward and is written by one function
-- (src/status/transition.ts) as a guarded update; every move is recorded in transaction_transitions.
create table transactions (
  id               text primary key check (id ~ '^tx_[0-9a-z]{26}$'),
  client_id        text not null references clients(id),
  user_id          text not null,
  wallet_address   text not null,
  type             text not null check (type in ('mint', 'transfer', 'claim')),
  status           text not null default 'ACCEPTED'
                   check (status in ('ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED')),
  -- The validated operation (addresses, wei amounts as decimal strings, signatures).
  params           jsonb not null,
  -- Tokens (wei) this operation takes out of the wallet: counted against the balance while in flight.
  debit_wei        numeric(78, 0) not null default 0 check (debit_wei >= 0),
  -- Mints: keccak256(receiptId); claims: the bytes32 claim id. Uniqueness below.
  receipt_hash     text,
  claim_id         text,
  mint_nonce       numeric(78, 0),
  expiry_block     numeric(78, 0),
  -- The signed UserOperation (bundler RPC format), stored before it is first sent.
  user_op          jsonb,
  user_op_hash     text unique,
  -- A no-op UserOperation with the same nonce, sent to make the original impossible to include.
  replacement_user_op      jsonb,
  replacement_user_op_hash text unique,
  submitted_block  bigint,
  deadline_at      timestamptz,
  tx_hash          text,
  block_number     bigint,
  gas_used         numeric(78, 0),
  gas_cost_wei     numeric(78, 0),
  error_code       text,
  error_message    text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);

create index transactions_client_user on transactions (client_id, user_id, created_at);
-- In-flight work: what the inclusion tracker and the balance check look at.
create index transactions_in_flight on transactions (client_id, user_id) where status in ('ACCEPTED', 'SUBMITTING', 'SUBMITTED');
create index transactions_submitted on transactions (user_op_hash) where status in ('SUBMITTING', 'SUBMITTED');

-- A receipt mints once per token: a second accept fails here while the first is in flight or done.
create unique index transactions_receipt_once on transactions (receipt_hash)
  where type = 'mint' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
-- A claim id is used once per client.
create unique index transactions_claim_once on transactions (client_id, claim_id)
  where type = 'claim' and status not in ('FAILED', 'EXPIRED', 'REVERTED');

create table transaction_transitions (
  id              bigserial primary key,
  transaction_id  text not null references transactions(id),
  from_status     text,
  to_status       text not null,
  reason          text,
  at              timestamptz not null default clock_timestamp()
);
create index transaction_transitions_tx on transaction_transitions (transaction_id, id);

-- X-Idempotency-Key per client: the same key and request replay the first answer; another request is refused.
create table idempotency_keys (
  client_id       text not null references clients(id),
  key             text not null,
  request_hash    text not null,
  -- Deferred: the key is claimed first in the accept transaction, so a duplicate stops before any other work.
  transaction_id  text not null references transactions(id) deferrable initially deferred,
  response_status integer not null,
  response_body   jsonb not null,
  created_at      timestamptz not null default now(),
  primary key (client_id, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);

-- How far the inclusion tracker has read the EntryPoint's logs.
create table chain_cursors (
  name        text primary key,
  block       bigint not null,
  updated_at  timestamptz not null default now()
);

-- Live worker processes and the graphile-worker ids they run. A process that stops heart-beating has
-- crashed: its jobs are unlocked at once instead of after graphile-worker's 4-hour lock timeout.
create table worker_processes (
  id            text primary key,
  worker_ids    text[] not null default '{}',
  started_at    timestamptz not null default now(),
  last_seen_at  timestamptz not null default now()
);
