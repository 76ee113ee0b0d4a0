import { encodeFunctionData, erc20Abi, type Hex } from 'viem';
import { claimVaultAbi } from '../chain/contracts/abi.js';
import { field, isHex, isString, isWeiString, type OperationDefinition } from './types.js';

export type ClaimParams = { claimId: string; claimIdBytes32: Hex; amountWei: string };

/** approve + claim in one UserOperation: the vault pulls exactly the claimed amount, atomically. */
export const claim: OperationDefinition<ClaimParams> = {
  type: 'claim',
  parseParams: (value) => ({
    claimId: field(value, 'claimId', isString),
    claimIdBytes32: field(value, 'claimIdBytes32', isHex),
    amountWei: field(value, 'amountWei', isWeiString),
  }),
  buildCalls: (contracts, { claimIdBytes32, amountWei }) => [
    {
      to: contracts.token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [contracts.claimVault, BigInt(amountWei)] }),
    },
    {
      to: contracts.claimVault,
      data: encodeFunctionData({ abi: claimVaultAbi, functionName: 'claim', args: [contracts.token, claimIdBytes32, BigInt(amountWei)] }),
    },
  ],
};
