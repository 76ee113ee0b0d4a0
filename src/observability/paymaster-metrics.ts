// The own paymaster's gauges, set at scrape time from the shared cover read. Unknown is NaN: a stale
// deposit would look current, and 0 would look like an emergency that is not there.
import { paymasterCoverSeconds, paymasterDeposit, sponsorshipSpendRate } from './metrics.js';
import type { PaymasterCoverReader } from './paymaster-cover.js';
import type { Logger } from './logger.js';

export async function collectPaymasterMetrics(reader: PaymasterCoverReader, logger: Logger): Promise<void> {
  try {
    const cover = await reader.read();
    paymasterDeposit.set(Number(cover.depositWei));
    sponsorshipSpendRate.set(cover.spendWeiPerSecond);
    paymasterCoverSeconds.set(cover.coverSeconds);
  } catch (error) {
    for (const gauge of [paymasterDeposit, sponsorshipSpendRate, paymasterCoverSeconds]) gauge.set(NaN);
    logger.warn({ reason: (error as Error).message }, 'metrics: could not read the paymaster deposit');
  }
}
