// The fetch every SDK request goes through: it adds the access token, refreshes it once on a 401, and
// retries what is safe to retry — 429 and 503 after the server's Retry-After, and requests that never
// got an answer. Writes are safe to send again because each logical call carries one idempotency key
// in its headers, and every attempt here is a clone of that same request.
import { ChronosError, retryAfterSeconds } from './errors.js';
import { sleep } from './sleep.js';

export type RetryOptions = {
  /** Attempts per call, the first included (default 4). */
  attempts?: number;
  /** The longest wait between attempts; a Retry-After beyond it is not waited for, the answer is returned (default 30 s). */
  maxWaitMs?: number;
};

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 4, maxWaitMs: 30_000 };

/** Where the transport gets the bearer token; `stale` says the server refused the last one. */
export type Authorizer = { token(): Promise<string>; stale(token: string): void };

type Fetch = (request: Request) => Promise<Response>;

const RETRIED_STATUSES = new Set([429, 503]);

export function createTransport({ fetch, retry, authorizer }: { fetch: Fetch; retry: Required<RetryOptions>; authorizer?: Authorizer }): Fetch {
  return async (request) => {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const sent = request.clone();
      const token = authorizer && (await authorizer.token());
      if (token) sent.headers.set('authorization', `Bearer ${token}`);
      let response: Response;
      try {
        response = await fetch(sent);
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason;
        if (attempt >= retry.attempts) throw networkError(request, error, attempt);
        await sleep(Math.min(backoffMs(attempt), retry.maxWaitMs), request.signal);
        continue;
      }
      // One refresh: a token revoked by a secret rotation, or expired while the clocks disagree.
      if (response.status === 401 && token && !refreshed) {
        refreshed = true;
        authorizer!.stale(token);
        await response.body?.cancel();
        continue;
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < retry.attempts) {
        const retryAfter = retryAfterSeconds(response.headers);
        const waitMs = retryAfter === undefined ? backoffMs(attempt) : retryAfter * 1000;
        if (waitMs <= retry.maxWaitMs) {
          await response.body?.cancel();
          await sleep(waitMs, request.signal);
          if (request.signal.aborted) throw request.signal.reason;
          continue;
        }
      }
      return response;
    }
  };
}

/** 0.5 s, 1 s, 2 s … with ±20 % jitter, so many clients cut off at once do not come back in step. */
function backoffMs(attempt: number): number {
  return 500 * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4);
}

function networkError(request: Request, error: unknown, attempts: number): ChronosError {
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new ChronosError(`${request.method} ${new URL(request.url).pathname} got no answer after ${attempts} attempts: ${reason}`, {
    code: 'NETWORK_ERROR',
    cause: error,
  });
}
