// How long the own paymaster's deposit lasts (src/observability/paymaster-cover.ts): the deposit over
// the last hour's spend rate, judged against PAYMASTER_DEPOSIT_MIN_COVER_SECONDS.
import { parseEther } from 'viem';
import { SPEND_WINDOW_SECONDS, coverOf } from '../../src/observability/paymaster-cover.js';

const hourOf = (perSecond: bigint) => perSecond * BigInt(SPEND_WINDOW_SECONDS);

describe('the paymaster deposit cover', () => {
  it('is the deposit over the spend per second of the last hour', () => {
    const cover = coverOf({ depositWei: parseEther('1'), spentWei: hourOf(parseEther('0.0001')), minCoverSeconds: 3600 });
    expect(cover.spendWeiPerSecond).toBe(1e14);
    expect(cover.coverSeconds).toBe(10_000);
    expect(cover.low).toBe(false);
  });

  it('is low below the minimum, and not at it', () => {
    expect(coverOf({ depositWei: 3599n, spentWei: hourOf(1n), minCoverSeconds: 3600 }).low).toBe(true);
    expect(coverOf({ depositWei: 3600n, spentWei: hourOf(1n), minCoverSeconds: 3600 }).low).toBe(false);
  });

  it('lasts forever while nothing is spent, unless it is empty', () => {
    expect(coverOf({ depositWei: 1n, spentWei: 0n, minCoverSeconds: 3600 })).toMatchObject({ coverSeconds: Infinity, low: false });
    expect(coverOf({ depositWei: 0n, spentWei: 0n, minCoverSeconds: 3600 }).low).toBe(true);
    expect(coverOf({ depositWei: 0n, spentWei: 0n, minCoverSeconds: 0 }).low).toBe(true);
  });

  it('is unknown (NaN), and not low, when the spend could not be read; empty is still low', () => {
    expect(coverOf({ depositWei: 5n, minCoverSeconds: 3600 })).toMatchObject({ spendWeiPerSecond: NaN, coverSeconds: NaN, low: false });
    expect(coverOf({ depositWei: 0n, minCoverSeconds: 3600 }).low).toBe(true);
  });
});
