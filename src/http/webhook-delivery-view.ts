// The public view of a webhook delivery (GET /webhooks/deliveries and the 202s that queue one), and
// the listing's opaque cursor: base64url of "<created_at ms>.<id>", the last row's keyset position.
import type { WebhookDelivery } from '../db/schema.js';
import type { DeliveryPosition } from '../db/webhooks.js';
import { apiErrors } from '../app-error.js';

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** `maxAttempts` is the configured WEBHOOK_MAX_ATTEMPTS: the budget every delivery is retried against. */
export function toDeliveryView(d: WebhookDelivery, { maxAttempts }: { maxAttempts: number }) {
  return {
    id: d.id,
    eventType: d.event_type,
    eventId: d.event_id,
    status: d.status,
    attemptCount: d.attempt_count,
    maxAttempts,
    lastAttemptAt: iso(d.last_attempt_at),
    lastResponseStatus: d.last_response_status,
    lastResponseTimeMs: d.last_response_time_ms,
    errorMessage: d.error_message,
    deliveredAt: iso(d.delivered_at),
    createdAt: new Date(d.created_at).toISOString(),
  };
}

export function encodeDeliveryCursor(d: Pick<WebhookDelivery, 'created_at' | 'id'>): string {
  return Buffer.from(`${new Date(d.created_at).getTime()}.${d.id}`).toString('base64url');
}

export function decodeDeliveryCursor(cursor: string): DeliveryPosition {
  const match = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? /^(\d{1,15})\.(del_[0-9a-z]{26})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  if (!match) throw apiErrors.validation('cursor is malformed: pass the cursor value of a previous response unchanged');
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
