-- A SUBMITTED transaction not included within STALLED_AFTER_SECONDS is flagged once, with why.
-- Not a status: it keeps waiting (re-sent), and ends by inclusion or by replacement (EXPIRED).
alter table transactions add column stalled_at timestamptz;
alter table transactions add column stall_reason text;
-- When the bundler first accepted it: the clock for stall detection and the inclusion deadline.
alter table transactions add column submitted_at timestamptz;
-- A transaction now has up to two events: `transaction.stalled` (once) and its terminal one (once).
drop index webhook_events_one_per_transaction;
create unique index webhook_events_once_per_transaction on webhook_events (transaction_id, event_type) where transaction_id is not null;

-- Acceptance order per user, assigned under the per-user lock (ids from several API processes can tie
-- within a millisecond; a sequence cannot): the worker runs a user's operations in this order.
alter table transactions add column accept_seq bigserial;
create index transactions_user_order on transactions (client_id, user_id, accept_seq) where status in ('ACCEPTED', 'SUBMITTING', 'SUBMITTED');
