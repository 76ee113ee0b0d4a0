// Operational endpoints, not API operations: not in openapi.json's operations, not authenticated,
// not rate limited. The API serves them on its port (/metrics only while METRICS_PORT is unset); a
// `chronos worker` process, and any process with METRICS_PORT set, on METRICS_PORT.
//   /healthz  the process is up (restart it if not)
//   /readyz   it can do its work: database, chain RPC, bundler and sponsorship reachable (stop routing
//             to it if not); 200 `degraded` when the own paymaster's deposit runs low, or when an
//             entry of an RPC_URL/BUNDLER_URL list is down while another answers (`entries`)
//   /metrics  Prometheus text format
import { Router, type RequestHandler } from 'express';
import type { AppContext } from '../context.js';
import { createReadinessChecker } from '../observability/readiness.js';
import { collectDatabaseMetrics } from '../observability/database-metrics.js';
import { enablePaymasterMetrics, enableProcessMetrics, registry } from '../observability/metrics.js';
import { createPaymasterCoverReader } from '../observability/paymaster-cover.js';
import { collectPaymasterMetrics } from '../observability/paymaster-metrics.js';

/** Whether the API port serves /metrics: only while it has no port of its own (METRICS_PORT). */
export function apiServesMetrics(config: AppContext['config']): boolean {
  return config.metricsPort === undefined;
}

export function probeRoutes(ctx: AppContext, { metrics = true }: { metrics?: boolean } = {}): Router {
  enableProcessMetrics();
  const { sponsorship } = ctx.config;
  // The own paymaster is watched through its deposit (readiness and gauges); a hosted one at its URL.
  const sponsorshipTarget =
    sponsorship.mode === 'own'
      ? { cover: createPaymasterCoverReader({ ...ctx, paymaster: sponsorship.paymaster, minCoverSeconds: sponsorship.minCoverSeconds }) }
      : { url: sponsorship.url };
  const cover = 'cover' in sponsorshipTarget ? sponsorshipTarget.cover : undefined;
  const readiness = createReadinessChecker({ ...ctx, sponsorship: sponsorshipTarget });
  const router = Router();
  const fresh: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };

  router.get('/healthz', fresh, (_req, res) => void res.json({ status: 'ok' }));

  router.get('/readyz', fresh, async (_req, res) => {
    const { ready, checks, entries, down, degraded } = await readiness.check();
    const details = entries ? { checks, entries } : { checks };
    if (ready && degraded.length > 0) return void res.json({ status: 'degraded', warning: degraded.join('; '), ...details });
    if (ready) return void res.json({ status: 'ready', ...details });
    res.setHeader('Retry-After', '5');
    res.status(503).json({ status: 'unavailable', code: 'SERVICE_UNAVAILABLE', error: `${down.join(' and ')} unreachable`, ...details });
  });

  if (!metrics) return router;
  if (cover) enablePaymasterMetrics();
  router.get('/metrics', fresh, async (_req, res) => {
    await Promise.all([
      collectDatabaseMetrics(ctx.db, { stalledAfterSeconds: ctx.config.transactions.stalledAfterSeconds, logger: ctx.logger }),
      cover && collectPaymasterMetrics(cover, ctx.logger),
    ]);
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });
  return router;
}
