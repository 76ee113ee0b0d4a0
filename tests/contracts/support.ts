// Shared by the contract tests: how a revert is asserted.
import { BaseError, ContractFunctionRevertedError } from 'viem';

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
