// Every failure leaves the API as `{ error, code }` (SPEC §8): never a stack trace, never HTML.
import type { ErrorRequestHandler, Request } from 'express';
import type { Logger } from '../observability/logger.js';

export { AppError, unauthorized, forbidden, validationError } from '../app-error.js';
import { AppError, unauthorized, validationError } from '../app-error.js';

type ValidatorError = { status?: number; errors?: { path?: string; message?: string }[]; message?: string; type?: string };

/** Errors of the auth step are stashed on the request: the OpenAPI validator re-wraps what its handler throws. */
export type RequestWithAuthError = Request & { authError?: AppError };

/** Postgres is unreachable or restarting: the request may succeed if retried. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300'].includes(e.code ?? '')) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '')) return true;
  }
  return false;
}

/** The chain RPC did not answer (viem's transport errors, wherever they sit in the cause chain). */
export function isChainUnavailable(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.name === 'HttpRequestError' || e.name === 'TimeoutError' || e.name === 'WebSocketRequestError') return true;
  }
  return false;
}

function fieldName(path: string | undefined): string {
  return (path ?? '').replace(/^\./, '').replace(/^headers\.x-/, 'header X-').replace(/^headers\./, 'header ');
}

/** Maps anything thrown in a request to the documented shape and status. */
export function toAppError(error: unknown, req: Request): AppError {
  const stashed = (req as RequestWithAuthError).authError;
  if (stashed) return stashed;
  if (error instanceof AppError) return error;
  const e = error as ValidatorError & { type?: string; expose?: boolean };
  if (e?.type === 'entity.too.large' || e?.status === 413) return new AppError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (e?.type === 'entity.parse.failed') return validationError('Request body is not valid JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Request body encoding is not supported');
  if (e?.status && Array.isArray(e.errors)) {
    const first = e.errors[0] ?? {};
    if (e.status === 400) return validationError(`${fieldName(first.path)} ${first.message ?? 'is invalid'}`.trim());
    if (e.status === 401) return unauthorized(first.message ?? e.message);
    if (e.status === 404) return new AppError(404, 'NOT_FOUND', 'No such endpoint');
    if (e.status === 405) return new AppError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed on this endpoint');
    if (e.status === 415) return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
  }
  if (isChainUnavailable(error)) return new AppError(503, 'SERVICE_UNAVAILABLE', 'The blockchain node is unavailable; retry shortly', undefined, { 'Retry-After': '1' });
  if (isDatabaseUnavailable(error)) return new AppError(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry shortly', undefined, { 'Retry-After': '1' });
  return new AppError(500, 'INTERNAL_ERROR', 'Internal server error');
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
