// An invariant watched from inside: every active transaction has a submit job that will move it. A
// worker process counts the ones without (chronos_transactions_orphaned) every minute and logs them,
// so a broken invariant is noticed even where nobody scrapes /metrics.
import type { AppContext } from '../context.js';
import { countOrphanedTransactions } from '../db/transaction-progress.js';
import { orphanedTransactions } from '../observability/metrics.js';

export const ORPHAN_CHECK_INTERVAL_MS = 60_000;

export type OrphanCheck = { check(): Promise<number>; start(): void; stop(): void };

export function createOrphanCheck(ctx: AppContext, { intervalMs = ORPHAN_CHECK_INTERVAL_MS } = {}): OrphanCheck {
  let timer: NodeJS.Timeout | undefined;
  const check = async () => {
    const orphaned = await countOrphanedTransactions(ctx.db);
    orphanedTransactions.set(orphaned);
    if (orphaned > 0) {
      ctx.logger.error({ orphaned }, 'active transactions have no submit job to move them: an invariant is broken (see chronos_transactions_orphaned)');
    }
    return orphaned;
  };
  return {
    check,
    start() {
      timer = setInterval(() => {
        // The database being away is reported by everything else; the next round counts again.
        check().catch(() => undefined);
      }, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
