// The registry's operation types by name alone, in registry order, for code that lists them but must
// not load the definitions (viem, the contracts' ABIs): `chronos policy set` declares a flag per type,
// and every `chronos` run reads its flags. src/policy/quota.ts fails to compile unless these are
// exactly the keys of `operations` in ./index.ts, and tests/policy/quota-operations.test.ts holds the order.
export const OPERATION_TYPE_NAMES = ['mint', 'transfer', 'claim'] as const;
