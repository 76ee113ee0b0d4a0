// new Chronos({ baseUrl, clientId, clientSecret }): the entry point. It owns the access token, the
// retrying transport, the typed API client and the webhooks handed over to waits.
import { AccessTokens, type Credentials } from './access-token.js';
import { createApiClient, unwrap, type ApiClient } from './api-client.js';
import { Transactions } from './transactions.js';
import { createTransport, DEFAULT_RETRY, type RetryOptions } from './transport.js';
import type { WebhookEvent } from './types.js';
import { ChronosUser } from './user.js';
import { Payments } from './payments.js';
import { Certificates } from './certificates.js';
import { verifyWebhook, type WebhookHeaders } from './verify-webhook.js';
import { WebhookHandover } from './webhook-handover.js';

export type ChronosOptions = Credentials & {
  /** Where Chronos serves the API, e.g. http://127.0.0.1:3000 (the `/api/v1` paths are added). */
  baseUrl: string;
  /** Your `whsec_…` webhook secret(s), for `handleWebhook` (both during a rotation). */
  webhookSecret?: string | readonly string[];
  retry?: RetryOptions;
  /** The fetch to send with (default: the global one), e.g. to add a proxy or count requests. */
  fetch?: (request: Request) => Promise<Response>;
};

export class Chronos {
  /** The typed client of every path in openapi.json, for calls this layer does not wrap (the token is added for you). */
  readonly api: ApiClient;
  readonly transactions: Transactions;
  /** Client-wide payment reads: an intent, the client's tokens. */
  readonly payments: Payments;
  /** Client-wide certificate reads: one certificate, a verification by hash, a user's certificates. */
  readonly certificates: Certificates;
  private readonly handover = new WebhookHandover();
  private readonly webhookSecret: string | readonly string[] | undefined;

  constructor({ baseUrl, clientId, clientSecret, webhookSecret, retry, fetch = (request) => globalThis.fetch(request) }: ChronosOptions) {
    const retryOptions = { ...DEFAULT_RETRY, ...retry };
    const tokenApi = createApiClient(baseUrl, createTransport({ fetch, retry: retryOptions }));
    const tokens = new AccessTokens({ clientId, clientSecret }, async (body) => unwrap(await tokenApi.POST('/api/v1/auth/token', { body })).data);
    this.api = createApiClient(baseUrl, createTransport({ fetch, retry: retryOptions, authorizer: tokens }));
    this.transactions = new Transactions(this.api, this.handover);
    this.payments = new Payments(this.api);
    this.certificates = new Certificates(this.api);
    this.webhookSecret = webhookSecret;
  }

  /** One end user (your `X-User-Id`). */
  user(userId: string): ChronosUser {
    return new ChronosUser(userId, this.api, this.transactions);
  }

  /** Verifies a delivery (Standard Webhooks) and returns its event; throws ChronosError INVALID_WEBHOOK_SIGNATURE otherwise. */
  static verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string | readonly string[]): WebhookEvent {
    return verifyWebhook(rawBody, headers, secret);
  }

  /** Verifies a delivery with `webhookSecret` and hands it to the waits on its transaction. */
  handleWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders): WebhookEvent {
    if (!this.webhookSecret) throw new Error('handleWebhook needs the webhookSecret option');
    const event = verifyWebhook(rawBody, headers, this.webhookSecret);
    this.handover.handOver(event);
    return event;
  }

  /** Hands an event you verified yourself to the waits on its transaction. */
  handOverWebhook(event: WebhookEvent): void {
    this.handover.handOver(event);
  }
}
