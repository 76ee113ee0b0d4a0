// A viem http transport that waits out back-pressure: an HTTP 429 or 5xx from the chain RPC or the
// bundler is tried again after an exponential, jittered pause, or after the provider's Retry-After
// (seconds or an HTTP date) when it sends one, the pause capped and the attempts per call bounded.
// viem's own retry would honour Retry-After without bound (an hour, if asked) and without jitter, and
// it cannot tell back-pressure from other failures, which each caller retries its own way: here those
// keep viem's policy for the chain (`retryCount`) and none for the bundler, whose steps the submit job
// retries knowing what it stored. `withBackoff` wraps any transport: failover-transport.ts puts a
// list's fallback inside it, so that back-pressure is waited out only once every entry pushed back.
import { HttpRequestError, createTransport, http, type EIP1193RequestFn, type Transport } from 'viem';
import { isLogRangeError } from './log-range-errors.js';
import { isBlockNotYetKnown } from '../dependency-errors.js';

export type BackoffPolicy = {
  /** Tries per call for a 429/5xx answer, the first included. */
  attempts: number;
  /** The first pause; each further one doubles, before jitter. */
  baseMs: number;
  /** No pause is longer, whatever Retry-After asks. */
  capMs: number;
};

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 6, baseMs: 250, capMs: 30_000 };

/** viem's pause before its own retries of other failures (150 ms, doubling), kept as it was. */
const OTHER_RETRY_BASE_MS = 150;

/** A Retry-After header's wait in ms (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The pause before retry number `attempt` (from 0): at least what Retry-After asks, else a random
 * share ("full jitter") of an exponentially growing window, so that many callers refused at once do
 * not come back at once; never longer than the cap.
 */
export function backoffDelayMs(attempt: number, retryAfterMs: number | undefined, policy: BackoffPolicy, random = Math.random): number {
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** attempt);
  if (retryAfterMs !== undefined) return Math.min(policy.capMs, retryAfterMs + Math.floor(random() * Math.min(window, 1_000)));
  return Math.floor(window / 2 + random() * (window / 2));
}

/** Back-pressure: the provider is there but asks to come back later. */
export function isBackPressure(error: unknown): error is HttpRequestError {
  return error instanceof HttpRequestError && error.status !== undefined && (error.status === 429 || (error.status >= 500 && error.status < 600));
}

/** What viem's own retry would retry (its shouldRetry), apart from back-pressure, which is handled above it; and a lagging node. */
function worthRetrying(error: unknown): boolean {
  // Not viem's: a node that has not imported the block yet has it a moment later (dependency-errors.ts).
  if (isBlockNotYetKnown(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code === -1 || code === -32005 || code === -32603;
  if (error instanceof HttpRequestError && error.status) return [403, 408, 413].includes(error.status);
  return true;
}

export type BackoffParameters = {
  /** Retries of failures other than back-pressure (viem's retryCount). */
  retryCount: number;
  backoff?: BackoffPolicy;
};

export type HttpWithBackoffParameters = BackoffParameters & { timeout: number };

export function httpWithBackoff(url: string, { timeout, ...parameters }: HttpWithBackoffParameters): Transport {
  return withBackoff(http(url, { timeout, retryCount: 0 }), parameters);
}

/**
 * Any transport (one URL's, or a failover list's) with the waiting above: for a list, a 429/5xx is
 * waited out only once every entry has answered it, since the list moves on from each at once.
 */
export function withBackoff(transport: Transport, { retryCount, backoff = DEFAULT_BACKOFF }: BackoffParameters): Transport {
  return (options) => {
    const inner = transport({ ...options, retryCount: 0 });
    const request = async (args: { method: string; params?: unknown }) => {
      let pressure = 0;
      let other = 0;
      for (;;) {
        try {
          return await inner.config.request(args);
        } catch (error) {
          if (isBackPressure(error)) {
            if (++pressure >= backoff.attempts) throw error;
            await sleep(backoffDelayMs(pressure - 1, parseRetryAfterMs(error.headers?.get('Retry-After')), backoff));
            continue;
          }
          // A range refused as too wide is refused again as it is: its caller narrows it at once.
          if (other >= retryCount || !worthRetrying(error) || isLogRangeError(error)) throw error;
          await sleep(OTHER_RETRY_BASE_MS * 2 ** other++);
        }
      }
    };
    // viem maps the remote errors to its classes above this; its own retry is off (done here).
    return createTransport({ ...inner.config, request: request as EIP1193RequestFn, retryCount: 0 }, inner.value);
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
