// Standard Webhooks verification of a Chronos delivery. During a secret rotation Chronos signs with
// both the new and the old secret, so a receiver holding either one verifies; a receiver rolling its
// own secrets over passes both.
import { Webhook } from 'standardwebhooks';
import { ChronosError } from './errors.js';
import type { WebhookEvent } from './types.js';

/** Node's `req.headers`, a fetch `Headers`, or a plain record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** `rawBody` exactly as received, before any JSON parsing (a Node Buffer is a Uint8Array). */
export function verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string | readonly string[]): WebhookEvent {
  const payload = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  const signed = pickSignatureHeaders(headers);
  const secrets = typeof secret === 'string' ? [secret] : secret;
  let lastError: unknown;
  for (const each of secrets) {
    try {
      return new Webhook(each).verify(payload, signed) as WebhookEvent;
    } catch (error) {
      lastError = error;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : 'no secret given';
  throw new ChronosError(`webhook ${signed['webhook-id'] || '(no webhook-id)'} failed verification: ${reason}`, {
    code: 'INVALID_WEBHOOK_SIGNATURE',
    cause: lastError,
  });
}

function pickSignatureHeaders(headers: WebhookHeaders): Record<string, string> {
  const read = (name: string): string => {
    if (headers instanceof Headers) return headers.get(name) ?? '';
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(' ') : (value ?? '');
  };
  return { 'webhook-id': read('webhook-id'), 'webhook-timestamp': read('webhook-timestamp'), 'webhook-signature': read('webhook-signature') };
}
