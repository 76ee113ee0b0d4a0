// Transfers and claims take token units as decimal strings; the chain counts wei.
import { parseUnits } from 'viem';

export const TOKEN_DECIMALS = 18;

const UNITS = /^(0|[1-9]\d{0,59})(\.\d{1,18})?$/;

/** "100" or "100.5" (at most 18 decimals, > 0) to wei; undefined when the string is not such an amount. */
export function parseTokenAmount(value: string): bigint | undefined {
  if (!UNITS.test(value)) return undefined;
  const wei = parseUnits(value, TOKEN_DECIMALS);
  return wei > 0n ? wei : undefined;
}
