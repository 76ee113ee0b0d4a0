-- A stored UserOperation whose own-paymaster sponsorship window passed (by the chain's clock, its nonce
-- unused) can never be included: the worker builds a new one with the same nonce and stores it as the
-- current one (user_op, user_op_hash, or the replacement's pair). The hashes it replaced are kept here,
-- oldest first, for whoever reads the row: none of them can ever appear in a UserOperationEvent.
alter table transactions add column superseded_user_op_hashes text[] not null default '{}';
