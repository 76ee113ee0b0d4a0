// When a failed delivery is tried again. Retry n (after the n-th failed attempt) waits
//   base × 4^(n-1), ±20 % jitter (so receivers coming back up are not hit by every sender at once),
// or longer when the receiver asked for it with Retry-After; no wait exceeds an hour. With the
// defaults (base 5 s, 5 attempts) that is about 5 s, 20 s, 80 s and 5 min 20 s: ~7 minutes in all.
export const RETRY_GROWTH = 4;
export const RETRY_JITTER = 0.2;
/** Neither our backoff nor a receiver's Retry-After parks a delivery longer than this. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export function retryDelayMs({
  baseMs,
  failedAttempts,
  retryAfterMs,
  random = Math.random,
}: {
  baseMs: number;
  failedAttempts: number;
  retryAfterMs?: number;
  random?: () => number;
}): number {
  const backoff = baseMs * RETRY_GROWTH ** Math.max(0, failedAttempts - 1);
  const jittered = backoff * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random());
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, Math.max(jittered, retryAfterMs ?? 0)));
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now; undefined if absent or malformed. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
