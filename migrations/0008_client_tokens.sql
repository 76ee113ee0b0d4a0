-- Each client mints its own ChronosToken (README "Decisions"), deployed or registered by
-- `chronos clients create`. NULL: the deployment's shared TOKEN_ADDRESS, which clients registered
-- before this migration keep.
alter table clients add column token_address text check (token_address ~ '^0x[0-9a-fA-F]{40}$');

-- The token an operation runs on, fixed when it is accepted (NULL on rows accepted before this
-- migration: the shared TOKEN_ADDRESS).
alter table transactions add column token_address text check (token_address ~ '^0x[0-9a-fA-F]{40}$');

-- A receipt mints once per token, not once across the deployment: a receipt id one client used must
-- not block another client's token.
drop index transactions_receipt_once;
create unique index transactions_receipt_once_per_token on transactions (receipt_hash, coalesce(token_address, ''))
  where type = 'mint' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
