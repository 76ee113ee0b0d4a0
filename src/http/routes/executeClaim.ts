import { keccak256, toBytes, type Hex } from 'viem';
import type { Route } from '../route.js';
import { AppError, validationError } from '../errors.js';
import { handleOperationRequest } from '../operation-request.js';
import { parseTokenAmount } from '../../chain/token-units.js';
import { claimVaultAbi } from '../../chain/contracts/abi.js';
import { numbersToStrings, EXTERNAL_ID } from '../request-values.js';

export const executeClaim: Route = {
  operationId: 'executeClaim',
  scope: 'claim',
  // `amount` may be given as a number.
  precheck: numbersToStrings(['amount']),
  handler: (ctx) => (req, res) =>
    handleOperationRequest(ctx, req, res, {
      operationId: 'executeClaim',
      async prepare({ walletAddress }) {
        const { claimId, claimIdBytes32, amount } = req.body as { claimId: string; claimIdBytes32?: string; amount: string };
        if (!EXTERNAL_ID.test(claimId)) throw validationError('claimId must be 1-256 characters: letters, digits, dashes and underscores');
        const hashed = keccak256(toBytes(claimId));
        if (claimIdBytes32 !== undefined) {
          if (!/^0x[0-9a-fA-F]{64}$/.test(claimIdBytes32)) throw validationError('claimIdBytes32 must be 0x followed by 64 hex characters');
          if (claimIdBytes32.toLowerCase() !== hashed) throw new AppError(400, 'CLAIM_ID_MISMATCH', 'claimIdBytes32 does not equal keccak256(claimId)');
        }
        const amountWei = parseTokenAmount(amount);
        if (amountWei === undefined)
          throw validationError('amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"');
        // Claim ids are the claimer's own on-chain: only this wallet's use of the id counts.
        const used = await ctx.publicClient.readContract({
          address: ctx.config.contracts.claimVault,
          abi: claimVaultAbi,
          functionName: 'used',
          args: [walletAddress, hashed as Hex],
        });
        if (used) throw new AppError(409, 'CLAIM_ALREADY_USED', 'This claim id has already been used');
        return {
          row: {
            type: 'claim',
            claim_id: hashed,
            debit_wei: amountWei,
            params: JSON.stringify({ claimId, claimIdBytes32: hashed, amountWei: amountWei.toString() }),
          },
        };
      },
    }),
};
