// Shared by the contract tests: how a revert is asserted, and the hand-written ABI held against the compiled one.
import { BaseError, ContractFunctionRevertedError, type Abi, type AbiParameter } from 'viem';

/** Resolves with the custom error's arguments; fails the test unless the call reverts with `errorName`. */
export async function expectRevert(action: Promise<unknown>, errorName: string): Promise<readonly unknown[]> {
  const error = await action.then(
    () => {
      throw new Error(`expected a revert with ${errorName}, but the call succeeded`);
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BaseError);
  const reverted = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError);
  expect(reverted).toBeInstanceOf(ContractFunctionRevertedError);
  const data = (reverted as ContractFunctionRevertedError).data;
  expect(data?.errorName).toBe(errorName);
  return data?.args ?? [];
}

/** Functions and events must match one-to-one; errors may be extra (ones that bubble up from other contracts). */
export function expectAbiMatches(handWritten: Abi, compiled: Abi) {
  const signatures = (abi: Abi, types: string[]) =>
    abi
      .filter((item) => types.includes(item.type))
      .map(describeAbiItem)
      .sort();
  expect(signatures(handWritten, ['function', 'event', 'constructor'])).toEqual(signatures(compiled, ['function', 'event', 'constructor']));
  expect(signatures(handWritten, ['error'])).toEqual(expect.arrayContaining(signatures(compiled, ['error'])));
}

// Parameter names are left out: they are documentation, not part of the wire format.
function describeAbiItem(item: Abi[number]): string {
  const params = (list: readonly AbiParameter[] = []) => list.map((p) => `${p.type}${'indexed' in p && p.indexed ? ' indexed' : ''}`).join(',');
  const name = 'name' in item ? item.name : '';
  const inputs = 'inputs' in item ? params(item.inputs) : '';
  const mutability = 'stateMutability' in item ? ` ${item.stateMutability}` : '';
  const outputs = 'outputs' in item ? ` returns (${params(item.outputs)})` : '';
  return `${item.type} ${name}(${inputs})${mutability}${outputs}`;
}
