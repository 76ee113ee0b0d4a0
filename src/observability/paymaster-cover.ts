// How long the own paymaster's deposit lasts: its EntryPoint deposit over the last hour's spend rate
// (the gas of the operations settled in it). Concurrent reads (a burst of probes and a scrape) share
// one chain call and one indexed sum; nothing is cached beyond that, so a probe never reports a
// paymaster that answered seconds ago but does not now.
import type { Address } from 'viem';
import type { Db } from '../db/connect.js';
import type { ChainPublicClient } from '../chain/clients.js';
import { readPaymasterDeposit } from '../chain/paymaster-deposit.js';
import { settledGasCostSince } from '../db/sponsorship-spend.js';
import type { Logger } from './logger.js';
import { sharedInFlight } from './shared-in-flight.js';

/** The spend rate's window: long enough to smooth bursts, short enough to follow a change of load. */
export const SPEND_WINDOW_SECONDS = 3_600;

export type PaymasterCover = {
  depositWei: bigint;
  /** Wei per second, averaged over SPEND_WINDOW_SECONDS. */
  spendWeiPerSecond: number;
  /** depositWei at that rate; Infinity while nothing is being spent, NaN while the rate is unknown. */
  coverSeconds: number;
  /** Below PAYMASTER_DEPOSIT_MIN_COVER_SECONDS, or empty. */
  low: boolean;
};

export type PaymasterCoverReader = { read(): Promise<PaymasterCover> };

/** `spentWei` undefined: the database did not answer, so the rate and the cover are unknown (NaN). */
export function coverOf({ depositWei, spentWei, minCoverSeconds }: { depositWei: bigint; spentWei?: bigint; minCoverSeconds: number }): PaymasterCover {
  const spendWeiPerSecond = spentWei === undefined ? NaN : Number(spentWei) / SPEND_WINDOW_SECONDS;
  const coverSeconds = spendWeiPerSecond === 0 ? Infinity : Number(depositWei) / spendWeiPerSecond;
  return { depositWei, spendWeiPerSecond, coverSeconds, low: depositWei === 0n || coverSeconds < minCoverSeconds };
}

export function createPaymasterCoverReader(ctx: {
  db: Db;
  publicClient: ChainPublicClient;
  paymaster: Address;
  minCoverSeconds: number;
  logger: Logger;
}): PaymasterCoverReader {
  let wasLow = false;
  const readNow = async (): Promise<PaymasterCover> => {
    // The deposit is the paymaster answering (readiness's sponsorship check); the spend rate only
    // refines it, and an unreachable database already fails its own check.
    const [depositWei, spentWei] = await Promise.all([
      readPaymasterDeposit(ctx.publicClient, ctx.paymaster),
      settledGasCostSince(ctx.db, { seconds: SPEND_WINDOW_SECONDS }).catch(() => undefined),
    ]);
    const cover = coverOf({ depositWei, spentWei, minCoverSeconds: ctx.minCoverSeconds });
    // Once per crossing, not once per probe: the operator needs the moment it happened.
    const known = spentWei !== undefined || cover.low;
    if (known && cover.low !== wasLow) {
      wasLow = cover.low;
      const fields = {
        paymaster: ctx.paymaster,
        depositWei: String(depositWei),
        coverSeconds: Math.round(cover.coverSeconds),
        minCoverSeconds: ctx.minCoverSeconds,
      };
      if (cover.low) ctx.logger.warn(fields, 'the paymaster deposit is running low: top it up with `chronos paymaster deposit AMOUNT`');
      else ctx.logger.info(fields, 'the paymaster deposit covers the spend rate again');
    }
    return cover;
  };
  return { read: sharedInFlight(readNow) };
}
