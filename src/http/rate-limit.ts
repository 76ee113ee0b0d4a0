// Per-client rate limits (README, Rate limits): a sliding window per category, kept in Postgres so every API
// process sees the same count, with a graduated response — a warning header from 80 % of the limit,
// a 500 ms delay from 90 %, and 429 RATE_LIMITED once nothing is left.
//
// A refused request is not counted: the window drains at its normal pace while a client keeps
// retrying, so a client hammering a full window is let through again as soon as its own earlier
// requests age out, never locked out for as long as it keeps trying.
//
// Callers without valid credentials are counted per source address against fixed guards (see
// ADDRESS_GUARDS, and token-request-limits.ts for POST /auth/token).
import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/connect.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { hitRateLimitCounter, pruneRateLimitCounters, refundRateLimitHit, type RateLimitHit, type RateLimitHitParameters } from '../db/rate-limit-counters.js';
import { createGroupCommit, type ItemOutcome } from '../db/group-commit.js';
import { RATE_LIMIT_CATEGORIES, type RateLimitCategory } from '../policy/rate-limit-categories.js';
import { apiErrors } from '../app-error.js';
import { type AppError, toAppError, type RequestWithAuthError } from './errors.js';
import { reportWindow, type WindowReport } from '../policy/sliding-window.js';
import { expandIpv6 } from '../ip-address.js';

export const WARNING_AT = 0.8;
export const THROTTLE_AT = 0.9;
export const THROTTLE_DELAY_MS = 500;
/** How often a process sweeps counters that no longer weigh anything (off the request path). */
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * Limits on failures per source address that no client can override: they protect Chronos itself
 * (CPU, scrypt, counter rows) from callers that have no valid credentials. Each is a multiple of the
 * deployment's `auth` limit, over the `auth` window: 10 × 5 failed token requests and 20 × 5 refused
 * Bearer tokens per 5 minutes by default.
 */
export const ADDRESS_GUARDS = {
  /** POST /auth/token answered with an error, whatever clientId it named. */
  'token-failures': { authLimitMultiple: 10 },
  /** Requests whose Bearer token was missing, malformed or not valid (401). */
  unauthenticated: { authLimitMultiple: 20 },
} as const;
export type AddressGuard = keyof typeof ADDRESS_GUARDS;

export type RateLimitDecision = WindowReport & {
  subject: string;
  category: RateLimitCategory | AddressGuard;
  admitted: boolean;
  limit: number;
  windowMs: number;
  windowStartMs: number;
  warning: boolean;
  throttled: boolean;
};

export type RateLimiter = {
  /** Counts one request of `subject` in `category` (if it is let through) and says what to answer. */
  check(p: { subject: string; category: RateLimitCategory; overrides?: Record<string, number>; overrideFromClient?: string }): Promise<RateLimitDecision>;
  /** Counts one failure of `subject` (an address) against a fixed guard. */
  checkGuard(p: { subject: string; guard: AddressGuard }): Promise<RateLimitDecision>;
  /** Gives back a request a decision counted (one that turned out not to be a failure). */
  refund(decision: RateLimitDecision): Promise<void>;
};

/** The limit each operation counts against, by operationId (never by the raw path, whose case may vary). */
const CATEGORY_OF_OPERATION: Record<string, RateLimitCategory> = {
  createToken: 'auth',
  prepareMint: 'minting',
  executeMint: 'minting',
  listWebhookDeliveries: 'external',
  redeliverWebhookDelivery: 'external',
  sendTestWebhook: 'external',
};

/** Which limit an operation counts against: mint prepare/execute, webhook deliveries, token requests, the rest. */
export function rateLimitCategoryOf(operationId: string | undefined): RateLimitCategory {
  return operationId !== undefined && Object.hasOwn(CATEGORY_OF_OPERATION, operationId) ? CATEGORY_OF_OPERATION[operationId] : 'general';
}

/** The operationId the OpenAPI validator matched this request to (it sets `req.openapi` before security runs). */
function operationIdOf(req: Request): string | undefined {
  return (req as Request & { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
}

export function windowMsOf(category: RateLimitCategory, windowScale: number): number {
  return Math.max(1, Math.round(RATE_LIMIT_CATEGORIES[category].windowSeconds * 1000 * windowScale));
}

/** A client's own limit for `category`, if it set one (own properties only: never `toString` and the like). */
function overrideOf(overrides: Record<string, number> | undefined, category: RateLimitCategory): number | undefined {
  if (!overrides || !Object.hasOwn(overrides, category)) return undefined;
  const value = overrides[category];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function createRateLimiter(db: Db, { config, logger }: { config: Config['rateLimits']; logger: Logger }): RateLimiter {
  const longestWindowMs = Math.max(...Object.keys(RATE_LIMIT_CATEGORIES).map((c) => windowMsOf(c as RateLimitCategory, config.windowScale)));
  let lastPruneAt = Date.now();
  // Hits waiting while a statement is under way are counted together: one statement per counter row.
  const hits = createGroupCommit<RateLimitHitParameters & { category: RateLimitDecision['category'] }, RateLimitDecision>(async (items) => {
    const outcomes: ItemOutcome<RateLimitDecision>[] = new Array(items.length);
    const byCounter = new Map<string, number[]>();
    items.forEach((item, i) => {
      const key = JSON.stringify([item.subject, item.category, item.limit, item.limitOverrideOf ?? null]);
      const indexes = byCounter.get(key);
      if (indexes) indexes.push(i);
      else byCounter.set(key, [i]);
    });
    await Promise.all(
      [...byCounter.values()].map(async (indexes) => {
        const first = items[indexes[0]];
        try {
          const hit = await hitRateLimitCounter(db, { ...first, count: indexes.length });
          const before = hit.current - hit.admittedCount;
          indexes.forEach((index, nth) => {
            const admitted = nth < hit.admittedCount;
            outcomes[index] = { value: decide({ ...hit, current: admitted ? before + nth + 1 : hit.current }, admitted, first) };
          });
        } catch (error) {
          for (const index of indexes) outcomes[index] = { error };
        }
      }),
    );
    return outcomes;
  });
  const pruneNowAndThen = () => {
    if (Date.now() - lastPruneAt <= PRUNE_EVERY_MS) return;
    lastPruneAt = Date.now();
    pruneRateLimitCounters(db, { olderThanMs: 2 * longestWindowMs }).catch((error: unknown) =>
      logger.warn({ err: error }, 'pruning rate-limit counters failed'),
    );
  };
  return {
    check({ subject, category, overrides, overrideFromClient }) {
      pruneNowAndThen();
      const windowMs = windowMsOf(category, config.windowScale);
      return hits.submit({
        subject,
        category,
        windowMs,
        limit: overrideOf(overrides, category) ?? config.defaults[category],
        limitOverrideOf: overrideFromClient,
      });
    },
    checkGuard({ subject, guard }) {
      pruneNowAndThen();
      const limit = config.defaults.auth * ADDRESS_GUARDS[guard].authLimitMultiple;
      return hits.submit({ subject, category: guard, windowMs: windowMsOf('auth', config.windowScale), limit });
    },
    refund: (d) => refundRateLimitHit(db, { subject: d.subject, category: d.category, windowStartMs: d.windowStartMs, windowMs: d.windowMs }),
  };
}

function decide(
  hit: RateLimitHit,
  admitted: boolean,
  { subject, category, windowMs }: Pick<RateLimitHitParameters, 'subject' | 'windowMs'> & { category: RateLimitDecision['category'] },
): RateLimitDecision {
  const report = reportWindow({ ...hit, windowMs });
  const usage = report.used / hit.limit;
  return {
    ...report,
    subject,
    category,
    windowMs,
    windowStartMs: hit.windowStartMs,
    admitted,
    limit: hit.limit,
    warning: usage >= WARNING_AT,
    throttled: admitted && usage >= THROTTLE_AT,
  };
}

export function rateLimitedError(d: RateLimitDecision): AppError {
  return apiErrors.rateLimited(
    `Rate limit exceeded for ${d.category} requests (${d.limit} per ${d.windowMs / 1000}s); retry after ${d.retryAfterSeconds}s`,
    d.retryAfterSeconds,
  );
}

/** Headers, delay or 429 for a decision. Headers go on every answer, the error answers included. */
export async function applyRateLimitDecision(res: Response, d: RateLimitDecision): Promise<void> {
  res.setHeader('X-RateLimit-Limit', String(d.limit));
  res.setHeader('X-RateLimit-Remaining', String(d.remaining));
  res.setHeader('X-RateLimit-Reset', String(d.resetAt));
  if (d.warning) {
    res.setHeader(
      'X-RateLimit-Warning',
      `${Math.round((d.used / d.limit) * 100)}% of the ${d.category} rate limit (${d.limit} per ${d.windowMs / 1000}s) used`,
    );
  }
  if (!d.admitted) throw rateLimitedError(d);
  if (d.throttled) {
    res.setHeader('X-RateLimit-Delayed', String(THROTTLE_DELAY_MS));
    await sleep(THROTTLE_DELAY_MS);
  }
}

/**
 * Wraps the OpenAPI validator's BearerAuth handler: once the client is known, its request is counted
 * before request validation, scope checks and the handler, so every answer to it carries the headers.
 * A request that fails authentication cannot be attributed to a client: it is counted per source
 * address instead, and once that address has had too many 401s it gets 429 until its window drains.
 * The validator re-wraps what a security handler throws, so the answer is stashed on the request.
 */
export function rateLimitAfterAuthentication(limiter: RateLimiter, logger: Logger, authenticate: (req: Request) => Promise<boolean>) {
  return async (req: Request): Promise<boolean> => {
    try {
      let authenticated: boolean;
      try {
        authenticated = await authenticate(req);
      } catch (error) {
        // If the address cannot be counted (database down), the 401 stashed by `authenticate` stands.
        const answer = await limitUnauthenticated(limiter, req, toAppError(error, req));
        (req as RequestWithAuthError).authError = answer;
        throw answer;
      }
      if (!authenticated || !req.auth) return authenticated;
      const { client } = req.auth;
      const decision = await limiter.check({
        subject: `client:${client.id}`,
        category: rateLimitCategoryOf(operationIdOf(req)),
        overrides: client.rate_limits,
      });
      await applyRateLimitDecision(req.res!, decision);
      return true;
    } catch (error) {
      const appError = toAppError(error, req);
      if (appError.status >= 500) logger.error({ err: error, requestId: req.headers['x-request-id'], path: req.path }, 'rate limiting failed');
      (req as RequestWithAuthError).authError = appError;
      throw appError;
    }
  };
}

/** The 401 to answer, or a 429 once the source address has used up its `unauthenticated` guard. */
async function limitUnauthenticated(limiter: RateLimiter, req: Request, refusal: AppError): Promise<AppError> {
  if (refusal.status !== 401) return refusal;
  const decision = await limiter.checkGuard({ subject: addressSubjectOf(req), guard: 'unauthenticated' });
  if (decision.admitted) return refusal;
  // Not the attributable client headers: only Retry-After, so nothing about the guard's state is shown.
  return rateLimitedError(decision);
}

/**
 * The per-address limits' subject. An IPv6 host usually holds a whole /64 and can send from any
 * address in it, so IPv6 addresses count per /64; IPv4 (and IPv4-mapped IPv6) per address.
 */
export function addressSubjectOf(req: Request): string {
  return `ip:${addressGroupOf(req.ip ?? 'unknown')}`;
}

export function addressGroupOf(ip: string): string {
  if (!ip.includes(':') || /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip)) return ip.replace(/^::ffff:/i, '');
  const groups = expandIpv6(ip);
  return groups
    ? `${groups
        .slice(0, 4)
        .map((g) => g.toString(16))
        .join(':')}::/64`
    : ip;
}
