-- Quotas as rows (README, Quotas): one row per (client, operation type, period) that is limited, so a
-- new operation type needs no new column. A row absent = no limit for that type and period, as a NULL
-- column was. The policy row keeps the client's `enabled` flag and timestamps; removing it removes its
-- quotas with it.
create table transaction_quotas (
  client_id       text not null references transaction_policies(client_id) on delete cascade,
  operation_type  text not null,
  period          text not null check (period in ('daily', 'weekly', 'monthly')),
  max_count       integer not null check (max_count >= 0),
  primary key (client_id, operation_type, period)
);

-- Today's limits, one row per column that was set.
insert into transaction_quotas (client_id, operation_type, period, max_count)
select p.client_id, q.operation_type, q.period, q.max_count
from transaction_policies as p
cross join lateral (values
  ('mint', 'daily', p.mint_daily), ('mint', 'weekly', p.mint_weekly), ('mint', 'monthly', p.mint_monthly),
  ('transfer', 'daily', p.transfer_daily), ('transfer', 'weekly', p.transfer_weekly), ('transfer', 'monthly', p.transfer_monthly),
  ('claim', 'daily', p.claim_daily), ('claim', 'weekly', p.claim_weekly), ('claim', 'monthly', p.claim_monthly)
) as q(operation_type, period, max_count)
where q.max_count is not null;

alter table transaction_policies
  drop column mint_daily, drop column mint_weekly, drop column mint_monthly,
  drop column transfer_daily, drop column transfer_weekly, drop column transfer_monthly,
  drop column claim_daily, drop column claim_weekly, drop column claim_monthly;
