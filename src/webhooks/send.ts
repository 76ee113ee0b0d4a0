// One webhook attempt: POST the signed body and report what happened. Never throws for anything the
// receiver or the network does; the caller decides from the outcome whether to retry.
//   - one deadline (timeoutMs) covers DNS, connecting, sending and reading the whole answer;
//   - redirects are not followed (a redirect could point anywhere, including inside our network);
//   - the connection goes to the addresses that passed the URL-safety check, not to a second DNS answer.
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseRetryAfter } from './retry-schedule.js';
import { resolveWebhookTarget, WebhookTargetRefusedError, type ResolveHost, type ResolvedAddress, type ResolvedTarget } from './url-safety.js';

export type AttemptResult =
  | { outcome: 'delivered'; statusCode: number; responseTimeMs: number }
  /** Worth retrying: the receiver failed, answered non-2xx, redirected, or did not answer in time. */
  | { outcome: 'failed'; statusCode: number | null; responseTimeMs: number; error: string; retryAfterMs?: number }
  /** Never worth retrying: the URL may not be used. */
  | { outcome: 'refused'; statusCode: null; responseTimeMs: number; error: string }
  /** The receiver answered 410 Gone: it asks for nothing more to be sent to this URL (Standard Webhooks). */
  | { outcome: 'gone'; statusCode: 410; responseTimeMs: number; error: string };

export const WEBHOOK_USER_AGENT = 'Chronos-Webhooks/1.0';
/** Receivers should answer quickly and briefly; the body is read (so the answer is complete) and discarded. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export async function postWebhook({
  url,
  body,
  headers,
  timeoutMs,
  allowPrivateTargets,
  resolveHost,
  signal,
}: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivateTargets: boolean;
  resolveHost?: ResolveHost;
  /** Cuts the attempt short (the worker is shutting down); it then counts as failed and is retried. */
  signal?: AbortSignal;
}): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = AbortSignal.timeout(timeoutMs);
  // AbortSignal.any, not a listener per attempt on the worker's signal: every running job shares that one.
  const cut = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    const target = await untilAborted(resolveWebhookTarget(url, { allowPrivateTargets, resolveHost }), cut);
    const response = await post(target, { body, headers, signal: cut });
    const responseTimeMs = elapsed();
    const { statusCode } = response;
    if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode, responseTimeMs };
    if (statusCode >= 300 && statusCode < 400) {
      const location = typeof response.headers.location === 'string' ? ` to ${response.headers.location.slice(0, 200)}` : '';
      return {
        outcome: 'failed',
        statusCode,
        responseTimeMs,
        error: `redirect (HTTP ${statusCode}${location}) not followed: set the webhook URL to its final address`,
      };
    }
    if (statusCode === 410) {
      return {
        outcome: 'gone',
        statusCode,
        responseTimeMs,
        error: 'endpoint answered HTTP 410 Gone: webhooks to this client are disabled until its URL is set again',
      };
    }
    return {
      outcome: 'failed',
      statusCode,
      responseTimeMs,
      error: `endpoint answered HTTP ${statusCode}`,
      retryAfterMs: parseRetryAfter(response.headers['retry-after']),
    };
  } catch (error) {
    if (error instanceof WebhookTargetRefusedError) return { outcome: 'refused', statusCode: null, responseTimeMs: elapsed(), error: error.message };
    if (signal?.aborted) return { outcome: 'failed', statusCode: null, responseTimeMs: elapsed(), error: 'the worker shut down during the attempt' };
    if (deadline.aborted)
      return { outcome: 'failed', statusCode: null, responseTimeMs: elapsed(), error: `no complete answer within ${timeoutMs} ms (timed out)` };
    return { outcome: 'failed', statusCode: null, responseTimeMs: elapsed(), error: describeNetworkError(error) };
  }
}

function post(
  target: ResolvedTarget,
  { body, headers, signal }: { body: string; headers: Record<string, string>; signal: AbortSignal },
): Promise<{ statusCode: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const transport = target.url.protocol === 'https:' ? https : http;
    const req = transport.request(
      target.url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': WEBHOOK_USER_AGENT,
        },
        // A fresh connection per attempt: a pooled socket could lead to an address checked for another URL.
        agent: false,
        lookup: pinnedLookup(target.addresses),
        signal,
      },
      (res) => {
        let received = 0;
        let truncated = false;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) {
            truncated = true;
            res.destroy();
          }
        });
        res.on('error', reject);
        res.on('close', () => {
          if (res.complete || truncated) resolve({ statusCode: res.statusCode ?? 0, headers: res.headers });
          else reject(new Error('the connection closed before the answer was complete'));
        });
        res.resume();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Answers the socket's DNS lookup with the addresses already checked, whatever DNS would say now. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    if (!usable.length) {
      callback(Object.assign(new Error(`no IPv${family} address for this webhook host`), { code: 'ENOTFOUND' }), '', family as number);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed by the receiver while sending',
};

/** A short, stable description for the delivery log: the error code when there is one. */
function describeNetworkError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code && NETWORK_ERRORS[e.code]) return `${NETWORK_ERRORS[e.code]} (${e.code})`;
  if (e.code?.startsWith('ERR_TLS') || e.code?.includes('CERT')) return `TLS error: ${e.message ?? e.code}`;
  return e.message ? e.message.slice(0, 300) : 'request failed';
}
