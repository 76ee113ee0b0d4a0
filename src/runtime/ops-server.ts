// The small HTTP server of a `chronos worker` process: it has no API port, but orchestrators still
// need to probe it and Prometheus to scrape it (METRICS_PORT). In `start` and `api` the API port
// serves the same endpoints.
import express from 'express';
import type { AppContext } from '../context.js';
import { probeRoutes } from '../http/probes.js';
import { observeRequests } from '../http/observe-requests.js';
import { AppError, errorHandler } from '../http/errors.js';
import { requestId } from '../http/app.js';
import { listen, type RunningServer } from './http-server.js';

export async function startOpsServer(ctx: AppContext, { port, host }: { port: number; host: string }): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId());
  app.use(observeRequests(ctx.logger));
  app.use(probeRoutes(ctx));
  app.use((_req, _res, next) => next(new AppError(404, 'NOT_FOUND', 'This port serves /healthz, /readyz and /metrics only')));
  app.use(errorHandler(ctx.logger));
  return listen(app, { port, host });
}
