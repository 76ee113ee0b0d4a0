// An amount of ETH as an operator types it: ether unless it says otherwise ("0.5", "2000000gwei", "10wei").
import { formatEther, parseUnits } from 'viem';
import { UsageError } from './output.js';

const DECIMALS = { ether: 18, gwei: 9, wei: 0 } as const;

/** Parses a positive amount into wei; anything else (zero, negative, a typo, finer than 1 wei) is a UsageError naming `name`. */
export function parseEthAmount(text: string, name = 'AMOUNT'): bigint {
  const usage = (why: string) => new UsageError(`${name} ${why}, e.g. 0.5 (ether), 2000000gwei or 10wei; not '${text}'`);
  const match = /^(\d+(?:\.\d+)?)(ether|gwei|wei)?$/.exec(text.trim());
  if (!match) throw usage(text.trim().startsWith('-') ? 'must be positive' : 'must be a number of ether, gwei or wei');
  const [, number, unit = 'ether'] = match;
  const decimals = DECIMALS[unit as keyof typeof DECIMALS];
  const fraction = number.split('.')[1] ?? '';
  if (fraction.length > decimals) throw usage(decimals === 0 ? 'in wei must be a whole number' : `in ${unit} has at most ${decimals} decimals`);
  const wei = parseUnits(number, decimals);
  if (wei === 0n) throw usage('must be more than zero');
  return wei;
}

/** "0.5 ether (500000000000000000 wei)", for people. */
export const describeWei = (wei: bigint) => `${formatEther(wei)} ether (${wei} wei)`;
