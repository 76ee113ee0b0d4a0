// Every failure leaves the API as `{ error, code }` (README, API): never a stack trace, never HTML.
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from '../observability/logger.js';

export { AppError } from '../app-error.js';
import { AppError, apiErrors } from '../app-error.js';
import { isDatabaseUnavailable, isRpcUnavailable } from '../dependency-errors.js';

type ValidatorError = { status?: number; errors?: { path?: string; message?: string }[]; message?: string; type?: string };

/** Errors of the auth step are stashed on the request: the OpenAPI validator re-wraps what its handler throws. */
export type RequestWithAuthError = Request & { authError?: AppError };

function fieldName(path: string | undefined): string {
  return (path ?? '')
    .replace(/^\./, '')
    .replace(/^headers\.x-/, 'header X-')
    .replace(/^headers\./, 'header ');
}

/** Maps anything thrown in a request to the documented shape and status. */
export function toAppError(error: unknown, req: Request): AppError {
  const stashed = (req as RequestWithAuthError).authError;
  if (stashed) return stashed;
  if (error instanceof AppError) return error;
  const e = error as ValidatorError & { type?: string; expose?: boolean };
  if (e?.type === 'entity.too.large' || e?.status === 413) return apiErrors.payloadTooLarge();
  if (e?.type === 'entity.parse.failed') return apiErrors.validation('Request body is not valid JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return apiErrors.unsupportedMediaType('Request body encoding is not supported');
  // Any other body the parser could not read (corrupt gzip/deflate/br data, an aborted upload) is the
  // client's fault, not a 500; the parser marks those as exposable 400s without an `errors` list.
  if (e?.expose === true && e.status === 400 && !Array.isArray(e.errors))
    return apiErrors.validation('Request body could not be read; check its Content-Encoding');
  // Express's router decodes path parameters itself: a malformed %-escape there is the client's 400.
  if (error instanceof URIError) return apiErrors.validation('The request path is not valid percent-encoding');
  if (e?.status && Array.isArray(e.errors)) {
    const first = e.errors[0] ?? {};
    if (e.status === 400) return apiErrors.validation(`${fieldName(first.path)} ${first.message ?? 'is invalid'}`.trim());
    if (e.status === 401) return apiErrors.unauthorized(first.message ?? e.message);
    if (e.status === 404) return apiErrors.notFound();
    if (e.status === 405) return apiErrors.methodNotAllowed();
    if (e.status === 415) return apiErrors.unsupportedMediaType('Content-Type must be application/json');
  }
  if (isRpcUnavailable(error)) return apiErrors.unavailable('The blockchain node is unavailable; retry shortly');
  if (isDatabaseUnavailable(error)) return apiErrors.unavailable('The service is temporarily unavailable; retry shortly');
  return apiErrors.internal();
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error, req);
    if (appError.status >= 500) {
      logger.error({ err: error, requestId: req.headers['x-request-id'], path: req.path }, 'request failed');
    }
    if (res.headersSent) return res.end();
    for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
    res.status(appError.status).json({ error: appError.message, code: appError.code, ...appError.body });
  };
}
