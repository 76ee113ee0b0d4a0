-- Parallel operations per account (README, One busy user): each operation in flight uses its own
-- EntryPoint nonce key (the upper 192 bits of the nonce), from 0 to MAX_PARALLEL_OPS_PER_ACCOUNT - 1.
-- A key is held while the operation is active; no two active operations of one account share one.
alter table transactions add column nonce_key numeric(78, 0) check (nonce_key >= 0);
-- Operations built before this migration used key 0.
update transactions set nonce_key = 0 where status in ('ACCEPTED', 'SUBMITTING', 'SUBMITTED') and user_op is not null;
create unique index transactions_nonce_key_in_use on transactions (wallet_address, nonce_key)
  where status in ('ACCEPTED', 'SUBMITTING', 'SUBMITTED') and nonce_key is not null;
