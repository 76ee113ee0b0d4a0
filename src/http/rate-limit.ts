// Per-client rate limits (README, Rate limits): a sliding window per category, kept in Postgres so every API
// process sees the same count, with a graduated response — a warning header from 80 % of the limit,
// a 500 ms delay from 90 %, and 429 RATE_LIMITED once nothing is left.
//
// A refused request is not counted: the window drains at its normal pace while a client keeps
// retrying, so a client hammering a full window is let through again as soon as its own earlier
// requests age out, never locked out for as long as it keeps trying.
import type { Request, RequestHandler, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/connect.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { hitRateLimitCounter, pruneRateLimitCounters, type RateLimitHit, type RateLimitHitParameters } from '../db/rate-limit-counters.js';
import { createGroupCommit, type ItemOutcome } from '../db/group-commit.js';
import { RATE_LIMIT_CATEGORIES, type RateLimitCategory } from '../admin/rate-limits.js';
import { AppError, toAppError, type RequestWithAuthError } from './errors.js';
import { reportWindow, type WindowReport } from '../policy/sliding-window.js';

export const WARNING_AT = 0.8;
export const THROTTLE_AT = 0.9;
export const THROTTLE_DELAY_MS = 500;
/** How often a process sweeps counters that no longer weigh anything (off the request path). */
const PRUNE_EVERY_MS = 10 * 60_000;

export type RateLimitDecision = WindowReport & {
  category: RateLimitCategory; admitted: boolean; limit: number; windowMs: number; warning: boolean; throttled: boolean;
};

export type RateLimiter = {
  /** Counts one request of `subject` in `category` (if it is let through) and says what to answer. */
  check(p: { subject: string; category: RateLimitCategory; overrides?: Record<string, number>; overrideFromClient?: string }): Promise<RateLimitDecision>;
};

/** Which limit a path counts against: mint prepare/execute, webhook deliveries, token requests, the rest. */
export function rateLimitCategoryOf(path: string): RateLimitCategory {
  if (path === '/api/v1/auth/token') return 'auth';
  if (path.startsWith('/api/v1/mint/')) return 'minting';
  if (path === '/api/v1/webhooks' || path.startsWith('/api/v1/webhooks/')) return 'external';
  return 'general';
}

export function windowMsOf(category: RateLimitCategory, windowScale: number): number {
  return Math.max(1, Math.round(RATE_LIMIT_CATEGORIES[category].windowSeconds * 1000 * windowScale));
}

export function createRateLimiter(db: Db, { config, logger }: { config: Config['rateLimits']; logger: Logger }): RateLimiter {
  const longestWindowMs = Math.max(...Object.keys(RATE_LIMIT_CATEGORIES).map((c) => windowMsOf(c as RateLimitCategory, config.windowScale)));
  let lastPruneAt = Date.now();
  // Hits waiting while a statement is under way are counted together: one statement per counter row.
  const hits = createGroupCommit<RateLimitHitParameters, RateLimitDecision>(async (items) => {
    const outcomes: ItemOutcome<RateLimitDecision>[] = new Array(items.length);
    const byCounter = new Map<string, number[]>();
    items.forEach((item, i) => {
      const key = JSON.stringify([item.subject, item.category, item.limit, item.limitOverrideOf ?? null]);
      const indexes = byCounter.get(key);
      if (indexes) indexes.push(i);
      else byCounter.set(key, [i]);
    });
    await Promise.all([...byCounter.values()].map(async (indexes) => {
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
    }));
    return outcomes;
  });
  return {
    check({ subject, category, overrides, overrideFromClient }) {
      if (Date.now() - lastPruneAt > PRUNE_EVERY_MS) {
        lastPruneAt = Date.now();
        pruneRateLimitCounters(db, { olderThanMs: 2 * longestWindowMs })
          .catch((error: unknown) => logger.warn({ err: error }, 'pruning rate-limit counters failed'));
      }
      const windowMs = windowMsOf(category, config.windowScale);
      return hits.submit({ subject, category, windowMs, limit: overrides?.[category] ?? config.defaults[category], limitOverrideOf: overrideFromClient });
    },
  };
}

function decide(hit: RateLimitHit, admitted: boolean, { category, windowMs }: Pick<RateLimitHitParameters, 'category' | 'windowMs'>): RateLimitDecision {
  const report = reportWindow({ ...hit, windowMs });
  const usage = report.used / hit.limit;
  return {
    ...report, category: category as RateLimitCategory, windowMs, admitted, limit: hit.limit,
    warning: usage >= WARNING_AT, throttled: admitted && usage >= THROTTLE_AT,
  };
}

/** Headers, delay or 429 for a decision. Headers go on every answer, the error answers included. */
export async function applyRateLimitDecision(res: Response, d: RateLimitDecision): Promise<void> {
  res.setHeader('X-RateLimit-Limit', String(d.limit));
  res.setHeader('X-RateLimit-Remaining', String(d.remaining));
  res.setHeader('X-RateLimit-Reset', String(d.resetAt));
  if (d.warning) {
    res.setHeader('X-RateLimit-Warning', `${Math.round((d.used / d.limit) * 100)}% of the ${d.category} rate limit (${d.limit} per ${d.windowMs / 1000}s) used`);
  }
  if (!d.admitted) {
    throw new AppError(429, 'RATE_LIMITED', `Rate limit exceeded for ${d.category} requests (${d.limit} per ${d.windowMs / 1000}s); retry after ${d.retryAfterSeconds}s`,
      undefined, { 'Retry-After': String(d.retryAfterSeconds) });
  }
  if (d.throttled) {
    res.setHeader('X-RateLimit-Delayed', String(THROTTLE_DELAY_MS));
    await sleep(THROTTLE_DELAY_MS);
  }
}

/**
 * Wraps the OpenAPI validator's BearerAuth handler: once the client is known, its request is counted
 * before request validation, scope checks and the handler, so every answer to it carries the headers.
 * The validator re-wraps what a security handler throws, so the answer is stashed on the request.
 */
export function rateLimitAfterAuthentication(limiter: RateLimiter, logger: Logger, authenticate: (req: Request) => Promise<boolean>) {
  return async (req: Request): Promise<boolean> => {
    const authenticated = await authenticate(req);
    if (!authenticated || !req.auth) return authenticated;
    try {
      const { client } = req.auth;
      const decision = await limiter.check({ subject: `client:${client.id}`, category: rateLimitCategoryOf(req.path), overrides: client.rate_limits });
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

const MAX_CLIENT_ID_LENGTH = 512;

/**
 * POST /auth/token: counted per clientId given in the body, whatever the outcome, so guessing one
 * client's secret is stopped without touching other clients; that client's own `auth` override applies.
 * A request without a usable clientId is counted per address.
 */
export function rateLimitTokenRequests(limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    try {
      const clientId = (req.body as { clientId?: unknown } | undefined)?.clientId;
      const named = typeof clientId === 'string' && clientId.length > 0 && clientId.length <= MAX_CLIENT_ID_LENGTH;
      const decision = named
        ? await limiter.check({ subject: `client:${clientId}`, category: 'auth', overrideFromClient: clientId })
        : await limiter.check({ subject: `ip:${req.ip ?? 'unknown'}`, category: 'auth' });
      await applyRateLimitDecision(res, decision);
      next();
    } catch (error) {
      next(error);
    }
  };
}
