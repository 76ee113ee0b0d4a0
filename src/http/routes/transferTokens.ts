import { getAddress, isAddress, zeroAddress } from 'viem';
import type { Route } from '../route.js';
import { validationError } from '../errors.js';
import { handleOperationRequest } from '../operation-request.js';
import { parseTokenAmount } from '../../chain/token-units.js';

export const transferTokens: Route = {
  operationId: 'transferTokens',
  scope: 'transfer',
  // `toAddress` is a documented alias of `to`.
  precheck: (req, _res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && body.to === undefined && body.toAddress !== undefined) {
      body.to = body.toAddress;
      delete body.toAddress;
    }
    next();
  },
  handler: (ctx) => (req, res) =>
    handleOperationRequest(ctx, req, res, {
      operationId: 'transferTokens',
      async prepare() {
        const { to, amount } = req.body as { to: string; amount: string };
        if (!isAddress(to, { strict: false }) || getAddress(to) === zeroAddress) throw validationError('to must be a non-zero 0x-prefixed 20-byte address');
        const amountWei = parseTokenAmount(amount);
        if (amountWei === undefined)
          throw validationError('amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"');
        return {
          row: { type: 'transfer', params: JSON.stringify({ to: getAddress(to), amountWei: amountWei.toString() }), debit_wei: amountWei },
        };
      },
    }),
};
