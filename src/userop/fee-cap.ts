// MAX_FEE_PER_GAS_GWEI: the highest fee Chronos signs. A quote above it is not signed at all (an
// operation signed below what the bundler asks for is refused, or, if taken, never worth its wait);
// a bump above the quote (replacements) is cut back to the cap, which the quote is still under.
import { formatGwei } from 'viem';
import type { Fees } from './fee-quote.js';

/** The bundler's quote is above MAX_FEE_PER_GAS_GWEI: nothing was signed; try again when fees drop. */
export class FeesAboveCapError extends Error {
  constructor(
    readonly quotedMaxFeePerGas: bigint,
    readonly cap: bigint,
  ) {
    super(`current fees (maxFeePerGas ${formatGwei(quotedMaxFeePerGas)} gwei) are above MAX_FEE_PER_GAS_GWEI=${formatGwei(cap)}`);
  }
}

/** The fees to sign: `quoted` raised by `bumpPercent`, at most `cap`; throws FeesAboveCapError when the quote alone exceeds it. */
export function feesToSign(quoted: Fees, { bumpPercent = 0, cap }: { bumpPercent?: number; cap?: bigint }): Fees {
  if (cap !== undefined && quoted.maxFeePerGas > cap) throw new FeesAboveCapError(quoted.maxFeePerGas, cap);
  const bump = BigInt(100 + bumpPercent);
  const maxFeePerGas = min((quoted.maxFeePerGas * bump) / 100n, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min((quoted.maxPriorityFeePerGas * bump) / 100n, maxFeePerGas) };
}

const min = (a: bigint, b: bigint | undefined) => (b !== undefined && b < a ? b : a);
