// Shared by the contract tests: how a revert is asserted, the hand-written ABI held against the compiled one, and how calls are sent.
import {
  BaseError,
  ContractFunctionRevertedError,
  type Abi,
  type AbiParameter,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';

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

type WalletFor = (account: PrivateKeyAccount) => WalletClient<Transport, Chain, PrivateKeyAccount>;

/**
 * `send`: a contract call by `account`, expected to succeed, its receipt returned. `mintTo`: funds an
 * account the way Chronos does, a mint signed by `signer` and submitted by its recipient.
 */
export function contractActions({ publicClient, walletFor, signer }: { publicClient: PublicClient; walletFor: WalletFor; signer: PrivateKeyAccount }) {
  const send = async (account: PrivateKeyAccount, call: Parameters<ReturnType<WalletFor>['writeContract']>[0]) => {
    const hash = await walletFor(account).writeContract(call);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    return receipt;
  };
  const mintTo = async (account: PrivateKeyAccount, amount: bigint, into: Address) => {
    const request = {
      to: account.address,
      receiptId: `fund-${account.address}`,
      amount,
      expiryBlock: (await publicClient.getBlockNumber({ cacheTime: 0 })) + 10n,
      nonce: 0n,
    };
    const signature = await signer.signMessage({ message: { raw: mintMessageHash({ token: into, chainId: foundry.id, ...request }) } });
    await send(account, {
      address: into,
      abi: chronosTokenAbi,
      functionName: 'mintWithSignature',
      args: [request.to, request.receiptId, request.amount, request.expiryBlock, request.nonce, signature],
    });
  };
  return { send, mintTo };
}
