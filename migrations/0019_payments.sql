-- Payments (README, Payments): escrows funded, released and refunded through ChronosEscrow, and
-- withdrawals to external addresses. Each is an operation type like the others.
alter table transactions drop constraint transactions_type_check;
alter table transactions add constraint transactions_type_check
  check (type in ('mint', 'transfer', 'claim', 'payout', 'escrow_fund', 'escrow_release', 'escrow_refund', 'withdrawal'));

-- The escrow an escrow_* operation moves. An escrow is funded once and settled (released or
-- refunded) once: a second accept while the first is live or done is refused here, whichever API
-- process takes it. A FAILED, EXPIRED or REVERTED attempt frees the slot, so it can be tried again.
alter table transactions add column escrow_id text;
create unique index transactions_escrow_funded_once on transactions (client_id, escrow_id)
  where type = 'escrow_fund' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
create unique index transactions_escrow_settled_once on transactions (client_id, escrow_id)
  where type in ('escrow_release', 'escrow_refund') and status not in ('FAILED', 'EXPIRED', 'REVERTED');
create index transactions_escrow on transactions (client_id, escrow_id) where escrow_id is not null;

-- A payment intent: what is to be paid, by whom, to whom. Its status is not stored: it is read from
-- its escrow's operations (src/operations/escrow/intent-status.ts), whose statuses have one writer.
create table payment_intents (
  id                text primary key,
  client_id         text not null references clients(id),
  escrow_id         text not null,
  payer_user_id     text not null,
  payer_address     text not null,
  payee_user_id     text,
  payee_address     text not null,
  token_address     text not null,
  amount_wei        numeric(78, 0) not null check (amount_wei > 0),
  description       text,
  duration_seconds  integer not null check (duration_seconds > 0),
  created_at        timestamptz not null default now(),
  unique (client_id, escrow_id)
);
create index payment_intents_payer on payment_intents (client_id, payer_user_id, created_at desc);

-- The payments scope, for these endpoints (README, Scopes).
alter table clients drop constraint clients_scopes_known;
alter table clients add constraint clients_scopes_known check (scopes <@ array['wallet', 'mint', 'transfer', 'claim', 'payments']);

-- Withdrawals: the destinations a client allows (null: any address) and the value one user may
-- withdraw per period (null: no limit), set with `chronos clients set-withdrawal-allowlist | -limit`.
alter table clients add column withdrawal_allowlist text[];
alter table clients add column withdrawal_limit_wei numeric(78, 0) check (withdrawal_limit_wei > 0);
alter table clients add column withdrawal_limit_period text check (withdrawal_limit_period in ('daily', 'weekly', 'monthly'));
alter table clients add constraint clients_withdrawal_limit_whole
  check ((withdrawal_limit_wei is null) = (withdrawal_limit_period is null));
create index transactions_withdrawals on transactions (client_id, user_id, created_at)
  where type = 'withdrawal' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
