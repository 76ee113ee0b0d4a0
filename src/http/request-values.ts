import type { RequestHandler } from 'express';
import { apiErrors } from '../app-error.js';

/**
 * No operation takes a body nested more than a couple of levels, yet 64 KiB of JSON can nest 30,000
 * deep, enough to overflow the stack of any code that walks it recursively (the idempotency
 * fingerprint does). Such bodies are refused right after parsing; this walk is iterative.
 */
export const MAX_BODY_DEPTH = 32;

export function refuseDeeplyNestedBodies(maxDepth = MAX_BODY_DEPTH): RequestHandler {
  return (req, _res, next) => {
    const pending: [unknown, number][] = [[req.body, 0]];
    while (pending.length) {
      const [value, depth] = pending.pop()!;
      if (value === null || typeof value !== 'object') continue;
      if (depth >= maxDepth) return next(apiErrors.validation(`Request body is nested more than ${maxDepth} levels deep`));
      for (const child of Object.values(value)) pending.push([child, depth + 1]);
    }
    next();
  };
}

/**
 * express-openapi-validator compiles and caches one validator per distinct Content-Type header, and
 * puts the header into an ajv schema id: arbitrary values (`application/json; x=<random>`, even
 * without credentials) grow that cache without bound, and some (`%<`) make it throw. By now
 * express.json has read the body and only "JSON or not" matters, so the header is reduced to that.
 */
export function canonicalContentType(): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers['content-type'];
    if (header !== undefined) {
      req.headers['content-type'] = header.split(';')[0].trim().toLowerCase() === 'application/json' ? 'application/json' : 'application/octet-stream';
    }
    next();
  };
}

/**
 * A body announced (Content-Length) over the limit is answered at once. The JSON parser would first
 * read the whole announced body, however large, and only then say 413; a client announcing a
 * gigabyte would wait for its answer until it had sent all of it.
 */
export function refuseAnnouncedOversizedBodies(limit: number): RequestHandler {
  return (req, res, next) => {
    if (Number(req.headers['content-length']) > limit) {
      res.setHeader('Connection', 'close');
      return next(apiErrors.payloadTooLarge());
    }
    next();
  };
}

/**
 * A path segment that is `.` or `..`, spelled or percent-encoded (`%2e%2e`), is resolved away by every
 * URL parser (fetch, the SDK, proxies): `/users/%2e%2e/certificates` means `/certificates` to them.
 * Express would instead hand `..` to the route as an id, so the same request would mean two things
 * (README, Input and security). Such paths reach no operation.
 */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

export function refuseDotSegments(): RequestHandler {
  return (req, _res, next) => {
    const path = req.originalUrl.split('?')[0];
    if (DOT_SEGMENT.test(path)) return next(apiErrors.notFound('No such endpoint: a path segment is . or .., which URLs resolve away'));
    next();
  };
}
