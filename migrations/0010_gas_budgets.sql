-- Gas budgets (README, Gas budgets): wei a client may have sponsored per UTC day/week/month, for the
-- client as a whole and for each of its users. Rows like transaction_quotas (migration 0009): one per
-- limited (scope, period), a row absent = no budget there; part of the client's policy, removed with it.
create table gas_budgets (
  client_id  text not null references transaction_policies(client_id) on delete cascade,
  scope      text not null check (scope in ('client', 'user')),
  period     text not null check (period in ('daily', 'weekly', 'monthly')),
  max_wei    numeric(78, 0) not null check (max_wei >= 0),
  primary key (client_id, scope, period)
);

-- What accepting the operation reserved from the budgets: its gas ceiling times the fee cap read at
-- accept. Usage reads it while the operation is active; once settled its gas_cost_wei counts instead,
-- and FAILED/EXPIRED count nothing, so settlement writes nothing here. Rows accepted before this
-- migration reserved nothing.
alter table transactions add column gas_reserved_wei numeric(78, 0) not null default 0;

-- A client's usage in a period reads its transactions by created_at (a user's use transactions_client_user).
create index transactions_client_created on transactions (client_id, created_at);
