// Every operation type of the registry is a quota type, and `chronos policy set` (which reads the
// names without loading the registry) offers a flag for each, in the same order.
import { operations } from '../../src/operations/index.js';
import { OPERATION_TYPE_NAMES } from '../../src/operations/names.js';
import { QUOTA_OPERATION_TYPES } from '../../src/policy/quota.js';
import { policyCommand } from '../../src/cli/commands/policy.js';

describe('quota operation types', () => {
  it('are the registry types, in registry order', () => {
    expect(QUOTA_OPERATION_TYPES).toEqual(Object.keys(operations));
  });

  it('are what `chronos policy set` has a flag for, in the same order, before the gas budget flags', () => {
    expect([...OPERATION_TYPE_NAMES]).toEqual(QUOTA_OPERATION_TYPES);
    const set = policyCommand.subcommands.find((command) => command.name === 'set');
    expect(Object.keys(set?.options ?? {})).toEqual([...QUOTA_OPERATION_TYPES, 'gas-budget-client', 'gas-budget-user']);
  });
});
