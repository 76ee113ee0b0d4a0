-- Confirmations and reorgs (README, Confirmations and reorgs). An inclusion is recorded as soon as
-- the tracker sees it (tx_hash, block_number, gas columns and now block_hash), while the transaction
-- stays SUBMITTED until its block is deep enough; what the inclusion will settle it as waits here.
alter table transactions add column block_hash text;
alter table transactions add column included_outcome text check (included_outcome in ('CONFIRMED', 'REVERTED', 'EXPIRED'));
alter table transactions add column included_error_message text;
-- A settled transaction whose block was reorged out: kept at its status, reported, and re-sent until
-- it is included again (then block_hash is set again; reorged_at stays as the record that it happened).
alter table transactions add column reorged_at timestamptz;

-- The tracker compares the blocks of recent inclusions with the chain, newest first.
create index transactions_included_block on transactions (block_number) where block_number is not null;
-- Settled transactions waiting to be included again after a reorg.
create index transactions_awaiting_reinclusion on transactions (reorged_at) where reorged_at is not null and block_hash is null;

-- The hash of the block the tracker's cursor stands on: a different hash at that height is a reorg.
alter table chain_cursors add column block_hash text;

-- A transaction can be reorged more than once: one transaction.reorged event per reorg. Every other
-- event stays at most once per transaction.
drop index webhook_events_once_per_transaction;
create unique index webhook_events_once_per_transaction on webhook_events (transaction_id, event_type)
  where transaction_id is not null and event_type <> 'transaction.reorged';
