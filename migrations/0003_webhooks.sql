-- Signed webhooks (README, Webhooks) as an outbox: an event and its delivery are inserted in the same database
-- transaction as the status change they report, together with the graphile-worker job that sends
-- them, so a crash between the change and the send cannot lose an event.

create table webhook_events (
  id              text primary key check (id ~ '^evt_[0-9a-z]{26}$'),
  client_id       text not null references clients(id),
  event_type      text not null,
  transaction_id  text references transactions(id),
  -- The exact JSON POSTed on every attempt: retries and redeliveries send the same bytes and the same
  -- webhook-id, so receivers can de-duplicate.
  body            text not null,
  created_at      timestamptz(3) not null default clock_timestamp()
);
-- A transaction ends once: at most one event for it, whatever races the status writer loses.
create unique index webhook_events_one_per_transaction on webhook_events (transaction_id) where transaction_id is not null;

create table webhook_deliveries (
  id                     text primary key check (id ~ '^del_[0-9a-z]{26}$'),
  event_id               text not null references webhook_events(id),
  client_id              text not null references clients(id),
  -- Copied from the event: the listing filters on it.
  event_type             text not null,
  status                 text not null default 'PENDING' check (status in ('PENDING', 'DELIVERING', 'DELIVERED', 'FAILED')),
  attempt_count          integer not null default 0 check (attempt_count >= 0),
  -- Set when this delivery was created by POST /webhooks/deliveries/{id}/redeliver.
  redelivery_of          text references webhook_deliveries(id),
  next_attempt_at        timestamptz,
  -- The worker sending it right now (status DELIVERING) and until when; past that, it is presumed dead.
  claim_token            text,
  claim_expires_at       timestamptz,
  last_attempt_at        timestamptz(3),
  last_response_status   integer,
  last_response_time_ms  integer,
  error_message          text,
  delivered_at           timestamptz(3),
  -- Millisecond precision so that a cursor carrying it round-trips through a JS Date exactly.
  created_at             timestamptz(3) not null default clock_timestamp()
);
-- Newest-first keyset pagination per client, unfiltered and with each filter.
create index webhook_deliveries_newest on webhook_deliveries (client_id, created_at desc, id desc);
create index webhook_deliveries_by_status on webhook_deliveries (client_id, status, created_at desc, id desc);
create index webhook_deliveries_by_event_type on webhook_deliveries (client_id, event_type, created_at desc, id desc);
create index webhook_deliveries_event on webhook_deliveries (event_id);

-- Every attempt, as the receiver answered it (or why no answer came).
create table webhook_delivery_attempts (
  delivery_id       text not null references webhook_deliveries(id),
  attempt_number    integer not null check (attempt_number > 0),
  url               text,
  response_status   integer,
  -- Null when the worker died mid-attempt and nobody saw an answer.
  response_time_ms  integer check (response_time_ms >= 0),
  error_message     text,
  started_at        timestamptz not null,
  finished_at       timestamptz not null default clock_timestamp(),
  primary key (delivery_id, attempt_number)
);
