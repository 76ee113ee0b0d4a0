// The gas estimate's fee warning: from 50 % above the average base fee of the recent blocks, saying by
// how much; nothing at or below that, or without a level to compare with.
import { feeWarning } from '../../src/chain/fee-level.js';

const level = (baseFeePerGas: bigint, recentAverage: bigint) => ({
  baseFeePerGas,
  recentAverage,
  percentAbove: Number(((baseFeePerGas - recentAverage) * 100n) / recentAverage),
});

it('warns from 50 % above the recent average, saying how much above', () => {
  expect(feeWarning(level(150n, 100n))).toBe('Gas price is currently 50% higher than its average over the last 20 blocks');
  expect(feeWarning(level(1_000n, 100n))).toBe('Gas price is currently 900% higher than its average over the last 20 blocks');
});

it('says nothing below that, or without a level', () => {
  expect(feeWarning(level(149n, 100n))).toBeUndefined();
  expect(feeWarning(level(50n, 100n))).toBeUndefined();
  expect(feeWarning(undefined)).toBeUndefined();
  expect(feeWarning({ baseFeePerGas: 10n, recentAverage: 0n, percentAbove: 0 })).toBeUndefined();
});
