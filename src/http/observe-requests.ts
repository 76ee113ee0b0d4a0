// One access-log line and one metrics observation per request, when its response is done.
// The route label is the Express route pattern (`/api/v1/transactions/:transactionId`), never the raw
// URL: ids in paths would make a new time series per request. Nothing from bodies or auth headers is
// logged here.
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../observability/logger.js';
import { httpRequestDuration, httpRequests } from '../observability/metrics.js';

/** Probes and docs are polled constantly; their lines would drown the API's. */
const QUIET_ROUTES = /^\/(healthz|readyz|metrics|docs)\b/;
const CLIENT_ID = /^client_[0-9a-f]{1,64}$/;

export function observeRequests(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      // A client that hung up before the response was complete: no status code reached it.
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      httpRequests.inc({ method: req.method, route, status });
      httpRequestDuration.observe({ method: req.method, route, status }, seconds);
      const line = {
        requestId: req.headers['x-request-id'],
        method: req.method,
        route,
        path: req.path,
        status: res.writableFinished ? res.statusCode : undefined,
        aborted: res.writableFinished ? undefined : true,
        ms: Math.round(seconds * 10_000) / 10,
        clientId: clientIdOf(req),
        userId: userIdOf(req),
      };
      if (QUIET_ROUTES.test(route)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}

/** The matched Express pattern; a stable placeholder when no route matched (404s, rejected early). */
function routeOf(req: Request): string {
  if (req.route?.path) return `${req.baseUrl}${String(req.route.path)}`;
  const openapi = (req as Request & { openapi?: { expressRoute?: string } }).openapi;
  return openapi?.expressRoute ?? 'unmatched';
}

function clientIdOf(req: Request): string | undefined {
  if (req.auth) return req.auth.client.id;
  // A token request names its client in the body: worth seeing when it is refused.
  const given = (req.body as { clientId?: unknown } | undefined)?.clientId;
  return typeof given === 'string' && CLIENT_ID.test(given) ? given : undefined;
}

function userIdOf(req: Request): string | undefined {
  const given = req.headers['x-user-id'];
  return typeof given === 'string' && given.length > 0 ? given.slice(0, 256) : undefined;
}
