// RPC_URL and BUNDLER_URL may list several endpoints, in order of preference. One entry is a plain
// http transport with the back-pressure waits of http-backoff.ts, exactly as before lists existed.
// Several are viem's `fallback` over them, each tried in the configured order on every request:
// an entry that is down, times out or pushes back (429/5xx, a JSON-RPC "not now") hands the request
// to the next one at once instead of being waited out, and the whole list is waited out (and retried)
// only when its last entry failed too. An answer — a revert, a bundler's AA25 or validation refusal,
// a log range refused as too wide — is the same from every entry, so it is returned as it is and
// never asked again elsewhere.
//
// No ranking (viem's `rank`): it would reorder healthy entries by latency, where the operator's order
// says which provider to prefer, and it pings every entry forever, with no way to stop it on close.
// The one memory kept is of timeouts: an entry that hangs would cost every request its whole timeout.
import { HttpRequestError, fallback, http, shouldThrow as viemShouldThrow, type EIP1193RequestFn, type Transport } from 'viem';
import { isRpcUnavailable } from '../dependency-errors.js';
import { causesOf } from '../error-causes.js';
import { DEFAULT_BACKOFF, httpWithBackoff, withBackoff, type BackoffPolicy } from './http-backoff.js';
import { isLogRangeError } from './log-range-errors.js';

/** How long an entry that timed out is passed over, while a later entry has not timed out. */
export const TIMED_OUT_ENTRY_SKIP_MS = 30_000;

export type FailoverParameters = {
  timeout: number;
  /** Retries of the whole list after failures other than back-pressure (viem's retryCount). */
  retryCount: number;
  backoff?: BackoffPolicy;
  skipTimedOutMs?: number;
};

export function failoverTransport(
  urls: readonly string[],
  { timeout, retryCount, backoff = DEFAULT_BACKOFF, skipTimedOutMs = TIMED_OUT_ENTRY_SKIP_MS }: FailoverParameters,
): Transport {
  if (urls.length === 1) return httpWithBackoff(urls[0], { timeout, retryCount, backoff });
  const entries = passingOverTimedOut(
    urls.map((url) => http(url, { timeout, retryCount: 0 })),
    skipTimedOutMs,
  );
  return withBackoff(fallback(entries, { retryCount: 0, shouldThrow: isAnAnswer }), { retryCount, backoff });
}

/**
 * Whether a failed request got an answer that another entry would give too (fallback's shouldThrow).
 * viem's default throws only on a few wallet codes and reverts, so a bundler's refusal (-32500 AA25,
 * -32602 …) would be sent to the next bundler as if the first were down, and its verdict replaced by
 * whatever the last entry says.
 */
export function isAnAnswer(error: Error): boolean {
  return viemShouldThrow(error) === true || isLogRangeError(error) || !isRpcUnavailable(error);
}

/**
 * The entries, each passed over at once while it timed out within `skipMs` and an entry after it has
 * not (so the list always ends at an entry that is really asked). A success clears the memory.
 */
function passingOverTimedOut(entries: Transport[], skipMs: number): Transport[] {
  const timedOutAt = entries.map(() => Number.NEGATIVE_INFINITY);
  const cooling = (i: number, now: number) => now - timedOutAt[i] < skipMs;
  return entries.map(
    (entry, i): Transport =>
      (options) => {
        const inner = entry(options);
        const request = async (args: { method: string; params?: unknown }) => {
          const now = Date.now();
          if (cooling(i, now) && timedOutAt.some((_, j) => j > i && !cooling(j, now))) {
            throw new HttpRequestError({ url: inner.value?.url, details: `passed over: timed out ${Math.round((now - timedOutAt[i]) / 1_000)} s ago` });
          }
          try {
            const result = await inner.request(args as never);
            timedOutAt[i] = Number.NEGATIVE_INFINITY;
            return result;
          } catch (error) {
            if (causesOf(error).some((link) => (link as Error).name === 'TimeoutError')) timedOutAt[i] = Date.now();
            throw error;
          }
        };
        return { ...inner, request: request as EIP1193RequestFn, config: { ...inner.config, request: request as EIP1193RequestFn } };
      },
  );
}
