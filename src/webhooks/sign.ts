// Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-signature` carries
// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per active secret, space-separated, so a receiver
// using the `standardwebhooks` package (or any implementation of the spec) verifies it unchanged.
import { Webhook } from 'standardwebhooks';
import type { Client } from '../db/schema.js';

export type SigningSecrets = Pick<Client, 'webhook_secret' | 'previous_webhook_secret' | 'previous_webhook_secret_expires_at'>;

/**
 * The secrets a delivery is signed with: the client's secret and, during a rotation, the previous one
 * too, so receivers still holding the old secret keep verifying until the overlap ends.
 */
export function activeSigningSecrets(client: SigningSecrets, now: Date = new Date()): string[] {
  const previousValid =
    client.previous_webhook_secret !== null
    && client.previous_webhook_secret_expires_at !== null
    && client.previous_webhook_secret_expires_at.getTime() > now.getTime();
  return previousValid ? [client.webhook_secret, client.previous_webhook_secret!] : [client.webhook_secret];
}

export type SignedHeaders = { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };

/**
 * Headers for one attempt. The timestamp is the attempt's, not the event's: receivers reject
 * timestamps older than a few minutes (replay protection), and a retry may come much later.
 */
export function signWebhook({ secrets, messageId, body, at = new Date() }: { secrets: string[]; messageId: string; body: string; at?: Date }): SignedHeaders {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}
