// RPC_URL and BUNDLER_URL may list several endpoints, in order of preference. One entry is a plain
// http transport with the back-pressure waits of http-backoff.ts, exactly as before lists existed.
// Several are viem's `fallback` over them, each tried in the configured order on every request:
// an entry that is down, times out or pushes back (429/5xx, a JSON-RPC "not now") hands the request
// to the next one at once instead of being waited out, and the whole list is waited out (and retried)
// only when its last entry failed too. An answer — a revert, a bundler's AA25 or validation refusal —
// is the same from every entry, so it is returned as it is and never asked again elsewhere.
//
// No ranking (viem's `rank`): it would reorder healthy entries by latency, where the operator's order
// says which provider to prefer, and it pings every entry forever, with no way to stop it on close.
import { fallback, http, shouldThrow as viemShouldThrow, type Transport } from 'viem';
import { isRpcUnavailable } from '../dependency-errors.js';
import { DEFAULT_BACKOFF, httpWithBackoff, withBackoff, type BackoffPolicy } from './http-backoff.js';

export type FailoverParameters = {
  timeout: number;
  /** Retries of the whole list after failures other than back-pressure (viem's retryCount). */
  retryCount: number;
  backoff?: BackoffPolicy;
};

export function failoverTransport(urls: readonly string[], { timeout, retryCount, backoff = DEFAULT_BACKOFF }: FailoverParameters): Transport {
  if (urls.length === 1) return httpWithBackoff(urls[0], { timeout, retryCount, backoff });
  const entries = urls.map((url) => http(url, { timeout, retryCount: 0 }));
  return withBackoff(fallback(entries, { retryCount: 0, shouldThrow: isAnAnswer }), { retryCount, backoff });
}

/**
 * Whether a failed request got an answer that another entry would give too (fallback's shouldThrow).
 * viem's default throws only on a few wallet codes and reverts, so a bundler's refusal (-32500 AA25,
 * -32602 …) would be sent to the next bundler as if the first were down, and its verdict replaced by
 * whatever the last entry says.
 */
export function isAnAnswer(error: Error): boolean {
  return viemShouldThrow(error) === true || !isRpcUnavailable(error);
}
