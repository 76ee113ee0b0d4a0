// A transfer: the user's tokens to another address, debited from their balance while it is in flight.
import { encodeFunctionData, erc20Abi, getAddress, isAddress, zeroAddress, type Address } from 'viem';
import type { RequestHandler } from 'express';
import { apiErrors } from '../../app-error.js';
import { parseTokenAmount } from '../../chain/token-units.js';
import { checkAmountLimits, INVALID_TOKEN_AMOUNT } from '../request-values.js';
import { field, isHexAddress, isWeiString, type OperationDefinition } from '../types.js';
import { TRANSFER_TYPE } from './type.js';

export type TransferParams = { to: Address; amountWei: string };

/** `toAddress` is a documented alias of `to`. */
const toAddressAlias: RequestHandler = (req, _res, next) => {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && body.to === undefined && body.toAddress !== undefined) {
    body.to = body.toAddress;
    delete body.toAddress;
  }
  next();
};

export const transfer: OperationDefinition<TransferParams, typeof TRANSFER_TYPE> = {
  type: TRANSFER_TYPE,
  scope: TRANSFER_TYPE,
  // About twice the 112k–130k gas it uses on the test stack once the account exists.
  gasCeiling: 250_000n,
  operationId: 'transferTokens',
  precheck: toAddressAlias,
  anyToken: true,

  async accept(_ctx, body, requester) {
    const { to, amount } = body as { to: string; amount: string };
    if (!isAddress(to, { strict: false }) || getAddress(to) === zeroAddress) throw apiErrors.validation('to must be a non-zero 0x-prefixed 20-byte address');
    const amountWei = parseTokenAmount(amount);
    if (amountWei === undefined) throw apiErrors.validation(INVALID_TOKEN_AMOUNT);
    checkAmountLimits(amountWei, requester);
    return { params: { to: getAddress(to), amountWei: amountWei.toString() }, debitWei: amountWei };
  },

  parseParams: (value) => ({ to: field(value, 'to', isHexAddress), amountWei: field(value, 'amountWei', isWeiString) }),
  buildCalls: (contracts, { to, amountWei }) => [
    {
      to: contracts.token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, BigInt(amountWei)] }),
    },
  ],
};
