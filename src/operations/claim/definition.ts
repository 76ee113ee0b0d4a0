// A claim: approve + claim in one UserOperation, so the shared ClaimVault pulls exactly the claimed
// amount, atomically. A claim id is used once per wallet on-chain, and once per client in flight.
import { encodeFunctionData, erc20Abi, keccak256, toBytes, type Hex } from 'viem';
import { apiErrors } from '../../app-error.js';
import { parseTokenAmount } from '../../chain/token-units.js';
import { claimVaultAbi } from '../../chain/contracts/abi.js';
import { EXTERNAL_ID, INVALID_TOKEN_AMOUNT, numbersToStrings } from '../request-values.js';
import { field, isHex, isString, isWeiString, type OperationDefinition } from '../types.js';
import { CLAIM_TYPE } from './type.js';

export type ClaimParams = { claimId: string; claimIdBytes32: Hex; amountWei: string };

export const claim: OperationDefinition<ClaimParams, typeof CLAIM_TYPE> = {
  type: CLAIM_TYPE,
  scope: CLAIM_TYPE,
  // About twice the 196k–214k gas (approve + claim) it uses on the test stack once the account exists.
  gasCeiling: 400_000n,
  operationId: 'executeClaim',
  // `amount` may be given as a number.
  precheck: numbersToStrings(['amount']),

  async accept(ctx, body, { walletAddress }) {
    const { claimId, claimIdBytes32, amount } = body as { claimId: string; claimIdBytes32?: string; amount: string };
    if (!EXTERNAL_ID.test(claimId)) throw apiErrors.validation('claimId must be 1-256 characters: letters, digits, dashes and underscores');
    const hashed = keccak256(toBytes(claimId));
    if (claimIdBytes32 !== undefined) {
      if (!/^0x[0-9a-fA-F]{64}$/.test(claimIdBytes32)) throw apiErrors.validation('claimIdBytes32 must be 0x followed by 64 hex characters');
      if (claimIdBytes32.toLowerCase() !== hashed) throw apiErrors.claimIdMismatch();
    }
    const amountWei = parseTokenAmount(amount);
    if (amountWei === undefined) throw apiErrors.validation(INVALID_TOKEN_AMOUNT);
    // Claim ids are the claimer's own on-chain: only this wallet's use of the id counts.
    const used = await ctx.publicClient.readContract({
      address: ctx.config.contracts.claimVault,
      abi: claimVaultAbi,
      functionName: 'used',
      args: [walletAddress, hashed],
    });
    if (used) throw apiErrors.claimAlreadyUsed();
    return {
      params: { claimId, claimIdBytes32: hashed, amountWei: amountWei.toString() },
      debitWei: amountWei,
      uniqueKey: { column: 'claim_id', value: hashed },
    };
  },
  uniqueConflict: apiErrors.claimAlreadyUsed,

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
