// How the base fee now compares with its recent level, for the gas estimate's warning: the next
// block's base fee against the average of the last blocks' (eth_feeHistory, one request).
import type { ChainPublicClient } from './clients.js';

/** Blocks the recent level is taken over. */
const RECENT_BLOCKS = 20;
/** Warn from this far above the recent level: 1.5 is 50 % above. */
const WARN_RATIO_PERCENT = 150n;

export type FeeLevel = { baseFeePerGas: bigint; recentAverage: bigint; percentAbove: number };

export async function readFeeLevel(publicClient: ChainPublicClient): Promise<FeeLevel | undefined> {
  const history = await publicClient.getFeeHistory({ blockCount: RECENT_BLOCKS, rewardPercentiles: [] });
  const fees = history.baseFeePerGas;
  if (fees.length < 2) return undefined;
  // The last entry is the next block's base fee; the others are the blocks already mined.
  const next = fees[fees.length - 1];
  const past = fees.slice(0, -1);
  const average = past.reduce((sum, fee) => sum + fee, 0n) / BigInt(past.length);
  const percentAbove = average === 0n ? 0 : Number(((next - average) * 100n) / average);
  return { baseFeePerGas: next, recentAverage: average, percentAbove };
}

/** A warning when the fee is well above its recent level; undefined otherwise. */
export function feeWarning(level: FeeLevel | undefined): string | undefined {
  if (!level || level.recentAverage === 0n || level.baseFeePerGas * 100n < level.recentAverage * WARN_RATIO_PERCENT) return undefined;
  return `Gas price is currently ${level.percentAbove}% higher than its average over the last ${RECENT_BLOCKS} blocks`;
}
