// The small HTTP server for probes and metrics on METRICS_PORT. A `chronos worker` process always runs
// it: it has no API port, but orchestrators still need to probe it and Prometheus to scrape it. In
// `start` and `api` it runs when METRICS_PORT is set, and then /metrics is served here only, not on
// the API port: the API port is usually public, and metrics tell outsiders about the traffic and
// the process. Without METRICS_PORT the API port serves /metrics (the simplest setup).
import express from 'express';
import type { AppContext } from '../context.js';
import { probeRoutes } from '../http/probes.js';
import { observeRequests } from '../http/observe-requests.js';
import { apiErrors } from '../app-error.js';
import { errorHandler } from '../http/errors.js';
import { requestId } from '../http/app.js';
import { listen, type RunningServer } from './http-server.js';

/** Where a worker's ops server listens when METRICS_PORT is not set. */
export const DEFAULT_WORKER_METRICS_PORT = 9464;

export async function startOpsServer(ctx: AppContext, { port, host }: { port: number; host: string }): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId());
  app.use(observeRequests(ctx.logger));
  app.use(probeRoutes(ctx));
  app.use((_req, _res, next) => next(apiErrors.notFound('This port serves /healthz, /readyz and /metrics only')));
  app.use(errorHandler(ctx.logger));
  return listen(app, { port, host });
}
