// A payout: one user pays many recipients at once, in ONE UserOperation (the account's executeBatch,
// one ERC-20 transfer per recipient), so every amount moves or none does. Accepted as a whole like a
// single transfer: the sum is debited from the balance while it is in flight, and it counts once per
// recipient in the transfer quota (README, Batch payouts).
import { encodeFunctionData, erc20Abi, formatUnits, getAddress, isAddress, zeroAddress, type Address } from 'viem';
import { apiErrors } from '../../app-error.js';
import { parseTokenAmount, TOKEN_DECIMALS } from '../../chain/token-units.js';
import { checkAmountLimits, INVALID_TOKEN_AMOUNT } from '../request-values.js';
import { field, isHexAddress, isWeiString, type OperationDefinition } from '../types.js';
import { TRANSFER_TYPE } from '../transfer/type.js';
import { PAYOUT_TYPE } from './type.js';

export type PayoutParams = { transfers: { to: Address; amountWei: string }[] };

/**
 * Gas of the batch beyond its transfers (verification, paymaster, the executeBatch frame), and of each
 * transfer. On the test stack, paying new holders once the account exists: 130k for 1 recipient, 394k
 * for 10, 3.02M for 100 (29k per recipient more), so the ceiling is about twice that at 100.
 */
const BASE_GAS = 150_000n;
const GAS_PER_RECIPIENT = 60_000n;

export const payoutGasCeiling = (recipients: number): bigint => BASE_GAS + GAS_PER_RECIPIENT * BigInt(recipients);

export const payout: OperationDefinition<PayoutParams, typeof PAYOUT_TYPE, typeof TRANSFER_TYPE> = {
  type: PAYOUT_TYPE,
  // Moving the user's tokens is what a transfer does: a token that may transfer may pay out.
  scope: TRANSFER_TYPE,
  // One recipient's; each payout reserves its own (`gasCeiling` of its acceptance).
  gasCeiling: payoutGasCeiling(1),
  countsAs: TRANSFER_TYPE,
  operationId: 'payoutTokens',
  anyToken: true,

  async accept(ctx, body, requester) {
    const { transfers } = body as { transfers: { to: string; amount: string }[] };
    const max = ctx.config.transactions.batchTransferMaxRecipients;
    if (transfers.length === 0) throw apiErrors.validation('transfers must list at least one recipient');
    if (transfers.length > max)
      throw apiErrors.validation(`transfers lists ${transfers.length} recipients; at most ${max} are allowed (BATCH_TRANSFER_MAX_RECIPIENTS)`);
    // As a single transfer: any non-zero address, the sender's own included; a recipient may appear
    // more than once (two rewards to one person), each entry being its own ERC-20 transfer.
    const checked = transfers.map(({ to, amount }, index) => {
      if (!isAddress(to, { strict: false }) || getAddress(to) === zeroAddress) {
        throw apiErrors.validation(`transfers[${index}].to must be a non-zero 0x-prefixed 20-byte address`);
      }
      const amountWei = parseTokenAmount(amount);
      if (amountWei === undefined) throw apiErrors.validation(`transfers[${index}].${INVALID_TOKEN_AMOUNT}`);
      checkAmountLimits(amountWei, requester, `transfers[${index}].amount`);
      return { to: getAddress(to), amountWei };
    });
    return {
      params: { transfers: checked.map(({ to, amountWei }) => ({ to, amountWei: amountWei.toString() })) },
      debitWei: checked.reduce((sum, t) => sum + t.amountWei, 0n),
      countsAsUnits: checked.length,
      gasCeiling: payoutGasCeiling(checked.length),
    };
  },

  parseParams: (value) => {
    const transfers = field(value, 'transfers', (v): v is unknown[] => Array.isArray(v) && v.length > 0);
    return { transfers: transfers.map((t) => ({ to: field(t, 'to', isHexAddress), amountWei: field(t, 'amountWei', isWeiString) })) };
  },
  buildCalls: (contracts, { transfers }) =>
    transfers.map(({ to, amountWei }) => ({
      to: contracts.token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, BigInt(amountWei)] }),
    })),
  // Every recipient, in the order they were paid, with amounts in token units as the request gave them.
  webhookData: ({ transfers }) => ({
    transfers: transfers.map(({ to, amountWei }) => ({ to, amount: formatUnits(BigInt(amountWei), TOKEN_DECIMALS) })),
  }),
};
