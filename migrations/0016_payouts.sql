-- Batch payouts (README, Batch payouts): a `payout` pays many recipients in one UserOperation.
alter table transactions drop constraint transactions_type_check;
alter table transactions add constraint transactions_type_check check (type in ('mint', 'transfer', 'claim', 'payout'));

-- A payout also counts in the transfer quota, once per recipient, so that a quota of 100 transfers a
-- day cannot be stretched to 100 payouts of 100 each. Null on every other type (they count once, in
-- their own type's quota); read through transactions_quota_usage, as the payout's own type is.
alter table transactions add column counts_as_units integer check (counts_as_units > 0);
