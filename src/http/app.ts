// The Express application: JSON parsing, OpenAPI validation of every request (and, when enabled,
// every response), one handler per operationId, and one error shape for every failure.
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { randomUUID } from 'node:crypto';
import type { RouteContext, Route } from './route.js';
import { routes as defaultRoutes } from './routes/index.js';
import { loadOpenApiDocument, findOperation } from './openapi.js';
import { bearerAuthHandler } from './authenticate.js';
import { apiErrors } from '../app-error.js';
import { type AppError, errorHandler, toAppError } from './errors.js';
import { authOf } from './request-context.js';
import { canonicalContentType, refuseAnnouncedOversizedBodies, refuseDeeplyNestedBodies, refuseDotSegments } from './request-values.js';
import { createRateLimiter, rateLimitAfterAuthentication } from './rate-limit.js';
import { rateLimitTokenRequests } from './token-request-limits.js';
import { observeRequests } from './observe-requests.js';
import { apiServesMetrics, probeRoutes } from './probes.js';
import { docsRoutes } from './docs.js';

export const MAX_BODY_BYTES = 64 * 1024;

export function createApp(ctx: RouteContext, { routes = defaultRoutes }: { routes?: Route[] } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // req.ip, which the per-address limits count, comes from X-Forwarded-For only through proxies named here.
  app.set('trust proxy', ctx.config.trustProxy);
  app.use(requestId());
  app.use(observeRequests(ctx.logger));
  app.use(refuseDotSegments());
  app.use(refuseAnnouncedOversizedBodies(MAX_BODY_BYTES));
  app.use(express.json({ limit: MAX_BODY_BYTES }));
  app.use(refuseDeeplyNestedBodies());
  app.use(canonicalContentType());

  const doc = loadOpenApiDocument();
  app.get('/openapi.json', (_req, res) => void res.json(doc));
  // Before rate limiting and the OpenAPI validator: /healthz, /readyz, /metrics and /docs are not API operations.
  app.use(probeRoutes(ctx, { metrics: apiServesMetrics(ctx.config) }));
  app.use(docsRoutes());
  const mounted = routes.map((route) => ({ route, ...findOperation(doc, route.operationId) }));
  // Token requests are counted before anything else looks at them (even a request missing credentials).
  const limiter = createRateLimiter(ctx.db, { config: ctx.config.rateLimits, logger: ctx.logger });
  const tokenOperation = findOperation(doc, 'createToken');
  (app as unknown as Record<string, (p: string, h: RequestHandler) => void>)[tokenOperation.method](tokenOperation.path, rateLimitTokenRequests(limiter));
  for (const { route, method, path } of mounted) {
    if (route.precheck) (app as unknown as Record<string, (p: string, h: RequestHandler) => void>)[method](path, route.precheck);
  }

  app.use(
    OpenApiValidator.middleware({
      apiSpec: structuredClone(doc) as never,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: ctx.config.validateResponses ? { removeAdditional: false } : false,
      validateSecurity: {
        handlers: { BearerAuth: rateLimitAfterAuthentication(limiter, ctx.logger, bearerAuthHandler({ jwt: ctx.config.jwt, clients: ctx.clients })) },
      },
      ignoreUndocumented: true,
    }),
  );

  for (const { route, method, path } of mounted) {
    const handlers: RequestHandler[] = [];
    if (route.scope) handlers.push(requireScope(route.scope));
    handlers.push(route.handler(ctx));
    (app as unknown as Record<string, (p: string, ...h: RequestHandler[]) => void>)[method](path, ...handlers);
  }

  app.use((_req, _res, next) => next(apiErrors.notFound()));
  for (const { route, method, path } of mounted) if (route.errorShape) app.use(reshapeErrors(route.operationId, method, path, route.errorShape));
  app.use(errorHandler(ctx.logger));
  return app;
}

/** Routes an operation's errors through its `errorShape`, whatever raised them (parser, validator, handler). */
function reshapeErrors(operationId: string, method: string, path: string, shape: (error: AppError) => AppError): ErrorRequestHandler {
  const pattern = new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}/?$`);
  return (error, req, _res, next) => {
    if (req.method.toLowerCase() !== method || !pattern.test(req.path)) return next(error);
    // A literal path the pattern also matches (/transactions/export against /transactions/:id) is another operation.
    const matched = (req as typeof req & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
    if (matched !== undefined && matched !== operationId) return next(error);
    const appError = toAppError(error, req);
    const shaped = shape(appError);
    // Only a reshaped error replaces the original, so a 500 still logs what really happened.
    next(shaped === appError ? error : shaped);
  };
}

function requireScope(scope: string): RequestHandler {
  return (req, _res, next) => {
    if (!authOf(req).scopes.includes(scope as never)) return next(apiErrors.forbidden(`This token lacks the '${scope}' scope`));
    next();
  };
}

/** Accepts a caller's X-Request-Id (if sane) or makes one, and echoes it on the response. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[\w\-.:]{1,128}$/.test(given) ? given : randomUUID();
    req.headers['x-request-id'] = id;
    res.setHeader('X-Request-Id', id);
    next();
  };
}
