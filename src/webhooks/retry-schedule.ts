// When a failed delivery is tried again. Retry n (after the n-th failed attempt) waits the schedule's
// n-th entry (WEBHOOK_RETRY_SCHEDULE, src/config/webhook-retry-schedule.ts), ±20 % jitter (so
// receivers coming back up are not hit by every sender at once), or longer when the receiver asked for
// it with Retry-After. A delivery gets schedule.length + 1 attempts in all.
import type { RetrySchedule } from '../config/webhook-retry-schedule.js';

export const RETRY_JITTER = 0.2;
/**
 * How much longer than the schedule's own wait a receiver's Retry-After may make it: a receiver that
 * asks for days must not push its deliveries far past the horizon the schedule promises.
 */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export function retryDelayMs({
  schedule,
  failedAttempts,
  retryAfterMs,
  random = Math.random,
}: {
  schedule: RetrySchedule;
  /** The attempts made so far, all failed: retry `failedAttempts` is the one being scheduled. */
  failedAttempts: number;
  retryAfterMs?: number;
  random?: () => number;
}): number {
  const scheduled = schedule[Math.min(schedule.length, Math.max(1, failedAttempts)) - 1] ?? 0;
  const jittered = scheduled * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random());
  const asked = Math.min(retryAfterMs ?? 0, scheduled + MAX_RETRY_AFTER_MS);
  return Math.round(Math.max(jittered, asked));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined if absent or malformed. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
