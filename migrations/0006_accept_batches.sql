-- Accepts are decided in batches (src/transactions/accept-batch.ts), with balances read from the chain
-- at a known block and cached. A debit confirmed after that block is not in the cached balance, so the
-- batch counts this user's operations settled after it: this index finds them without a scan.
create index transactions_settled_block on transactions (client_id, user_id, block_number) where block_number is not null;

-- Rate-limit hits arrive coalesced (one statement for every request of a client waiting at that
-- moment): how many of them the window let through.
alter table rate_limit_counters add column admitted_count integer not null default 0;
