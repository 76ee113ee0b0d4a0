// What the operation definitions' request checks share. Here rather than under src/http/ because the
// definitions run them and sit below the HTTP layer, which imports them.
import type { RequestHandler } from 'express';
import { apiErrors } from '../app-error.js';

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
