// What the operation definitions' request checks share. Here rather than under src/http/ because the
// definitions run them and sit below the HTTP layer, which imports them.
import type { RequestHandler } from 'express';
import { formatUnits } from 'viem';
import { apiErrors } from '../app-error.js';
import { TOKEN_DECIMALS } from '../chain/token-units.js';

/** Receipt and claim ids from the client's system (spec: 1-256 chars, alphanumeric + dashes/underscores). */
export const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,256}$/;

export const INVALID_TOKEN_AMOUNT = 'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"';

/**
 * Some fields are documented as strings that "also accept a number". JSON numbers are turned into
 * their decimal string before validation; ones that cannot be exact (beyond 2^53, exponents) are refused.
 */
export function numbersToStrings(fields: string[]): RequestHandler {
  return (req, _res, next) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return next();
    for (const field of fields) {
      const value = body[field];
      if (typeof value !== 'number') continue;
      const text = String(value);
      if (!Number.isFinite(value) || /e/i.test(text) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
        return next(apiErrors.validation(`${field} given as a number cannot be represented exactly; send it as a decimal string`));
      }
      body[field] = text;
    }
    next();
  };
}

/**
 * The sibling API's optional `chain` and `token`: Chronos serves one chain and each client one token,
 * so either, when given, must name those (the chain by its id, a number or its decimal string).
 */
/** An amount outside the limits `chronos tokens set-limits` set on the token: 400 AMOUNT_OUT_OF_RANGE. */
export function checkAmountLimits(
  amountWei: bigint,
  { token, tokenLimits }: { token: string; tokenLimits?: { minWei?: bigint; maxWei?: bigint } },
  field = 'amount',
): void {
  const { minWei, maxWei } = tokenLimits ?? {};
  const tokens = (wei: bigint) => formatUnits(wei, TOKEN_DECIMALS);
  if (minWei !== undefined && amountWei < minWei) throw apiErrors.amountOutOfRange(`${field} must be at least ${tokens(minWei)} of token ${token}`);
  if (maxWei !== undefined && amountWei > maxWei) throw apiErrors.amountOutOfRange(`${field} must be at most ${tokens(maxWei)} of token ${token}`);
}

export function checkChainAndToken(
  { chain, token }: { chain?: unknown; token?: unknown },
  { chainId, clientToken }: { chainId: number; clientToken: string },
): void {
  if (chain !== undefined && chain !== chainId && chain !== String(chainId))
    throw apiErrors.validation(`chain must be this deployment's chain id ${chainId} when given`);
  if (token !== undefined && (typeof token !== 'string' || token.toLowerCase() !== clientToken.toLowerCase()))
    throw apiErrors.validation(`token must be the client's token ${clientToken} when given (GET /api/v1/payments/tokens)`);
}
