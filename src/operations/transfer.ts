import { encodeFunctionData, erc20Abi, type Address } from 'viem';
import { field, isHexAddress, isWeiString, type OperationDefinition } from './types.js';

export type TransferParams = { to: Address; amountWei: string };

export const transfer: OperationDefinition<TransferParams> = {
  type: 'transfer',
  parseParams: (value) => ({ to: field(value, 'to', isHexAddress), amountWei: field(value, 'amountWei', isWeiString) }),
  buildCalls: (contracts, { to, amountWei }) => [
    {
      to: contracts.token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, BigInt(amountWei)] }),
    },
  ],
};
