// ETH amounts as operators type them: a decimal number in ether, gwei or wei. The syntax around the
// number (which suffixes, what a bare number means) is each command's; the arithmetic is shared.
import { parseUnits } from 'viem';

export const ETH_UNIT_DECIMALS = { ether: 18, gwei: 9, wei: 0 } as const;

export type EthUnit = keyof typeof ETH_UNIT_DECIMALS;

/** "0.05" in `unit` to wei; undefined when it has more decimals than the unit has (finer than 1 wei). */
export function weiOf(decimal: string, unit: EthUnit): bigint | undefined {
  const decimals = ETH_UNIT_DECIMALS[unit];
  if ((decimal.split('.')[1]?.length ?? 0) > decimals) return undefined;
  return parseUnits(decimal, decimals);
}
