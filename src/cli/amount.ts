// An amount of ETH as an operator types it: ether unless it says otherwise ("0.5", "2000000gwei", "10wei").
import { formatEther } from 'viem';
import { ETH_UNIT_DECIMALS, weiOf, type EthUnit } from '../chain/eth-units.js';
import { UsageError } from './output.js';

/** Parses a positive amount into wei; anything else (zero, negative, a typo, finer than 1 wei) is a UsageError naming `name`. */
export function parseEthAmount(text: string, name = 'AMOUNT'): bigint {
  const usage = (why: string) => new UsageError(`${name} ${why}, e.g. 0.5 (ether), 2000000gwei or 10wei; not '${text}'`);
  const match = /^(\d+(?:\.\d+)?)(ether|gwei|wei)?$/.exec(text.trim());
  if (!match) throw usage(text.trim().startsWith('-') ? 'must be positive' : 'must be a number of ether, gwei or wei');
  const [, number] = match;
  const unit = (match[2] ?? 'ether') as EthUnit;
  const wei = weiOf(number, unit);
  if (wei === undefined) throw usage(unit === 'wei' ? 'in wei must be a whole number' : `in ${unit} has at most ${ETH_UNIT_DECIMALS[unit]} decimals`);
  if (wei === 0n) throw usage('must be more than zero');
  return wei;
}

/** "0.5 ether (500000000000000000 wei)", for people. */
export const describeWei = (wei: bigint) => `${formatEther(wei)} ether (${wei} wei)`;
