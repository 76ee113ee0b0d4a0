-- The own paymaster's spend rate (chronos_sponsorship_spend_wei_per_second, the deposit's cover in
-- /readyz) sums the gas of the operations settled in the last hour. Settlement writes gas_cost_wei
-- and updated_at together; this index reads that hour without scanning every finished transaction.
create index transactions_settled_at on transactions (updated_at) include (gas_cost_wei) where gas_cost_wei is not null;
