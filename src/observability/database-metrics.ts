// The gauges that describe shared state rather than this process: read from Postgres when Prometheus
// scrapes. Only active transactions are counted (a partial index covers them), so a scrape stays cheap
// however many finished transactions the table holds; finished ones are counted by
// chronos_transaction_transitions_total instead.
import type { Db } from '../db/connect.js';
import { ACTIVE } from '../statuses.js';
import { TRACKER_CURSOR, findCursorBlock } from '../db/chain-cursors.js';
import { countActiveByStatus, countOrphanedTransactions } from '../db/transaction-progress.js';
import { databaseScrapeErrors, orphanedTransactions, stalledTransactions, trackerBlock, transactionsByStatus } from './metrics.js';
import type { Logger } from './logger.js';

/** A scrape must answer even when Postgres does not: past this, the database gauges are left out. */
const SCRAPE_TIMEOUT_MS = 2_000;

export async function collectDatabaseMetrics(db: Db, { stalledAfterSeconds, logger }: { stalledAfterSeconds: number; logger: Logger }): Promise<void> {
  try {
    const [counts, cursor, orphaned] = await withTimeout(
      Promise.all([countActiveByStatus(db, { stalledAfterSeconds }), findCursorBlock(db, TRACKER_CURSOR), countOrphanedTransactions(db)]),
      SCRAPE_TIMEOUT_MS,
    );
    transactionsByStatus.reset();
    for (const status of ACTIVE) transactionsByStatus.set({ status }, counts.find((c) => c.status === status)?.count ?? 0);
    stalledTransactions.set(counts.reduce((sum, c) => sum + c.stalled, 0));
    trackerBlock.set(cursor === undefined ? NaN : Number(cursor));
    orphanedTransactions.set(orphaned);
  } catch (error) {
    // Stale values would look current, and 0 would look healthy: unknown is NaN (or no series).
    transactionsByStatus.reset();
    stalledTransactions.set(NaN);
    trackerBlock.set(NaN);
    orphanedTransactions.set(NaN);
    databaseScrapeErrors.inc();
    logger.warn({ reason: (error as Error).message }, 'metrics: could not read the database gauges');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
