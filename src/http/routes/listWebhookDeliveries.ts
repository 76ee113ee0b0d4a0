import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { listClientDeliveries } from '../../db/webhooks.js';
import type { WebhookDeliveryStatus } from '../../db/schema.js';
import { EVENT_TYPES, isEventType } from '../../webhooks/events.js';
import { decodeDeliveryCursor, encodeDeliveryCursor, toDeliveryView } from '../webhook-delivery-view.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/** The caller's deliveries, newest first; `status`, `limit` (1-100) and their types are checked by openapi.json. */
export const listWebhookDeliveries: Route = {
  operationId: 'listWebhookDeliveries',
  handler: (ctx) => async (req, res) => {
    const { client } = authOf(req);
    const status = req.query.status === undefined ? undefined : (String(req.query.status) as WebhookDeliveryStatus);
    const eventType = req.query.eventType === undefined ? undefined : String(req.query.eventType);
    if (eventType !== undefined && !isEventType(eventType)) throw apiErrors.validation(`eventType must be one of ${EVENT_TYPES.join(', ')}`);
    const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
    // The validator's integer check lets `Infinity` through (Infinity % 1 is NaN, not 0).
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw apiErrors.validation(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    const after = req.query.cursor === undefined ? undefined : decodeDeliveryCursor(String(req.query.cursor));
    // One row more than asked tells whether another page exists.
    const rows = await listClientDeliveries(ctx.db, { clientId: client.id, status, eventType, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      success: true,
      data: {
        deliveries: page.map((d) => toDeliveryView(d, ctx.config.webhooks)),
        cursor: hasMore ? encodeDeliveryCursor(page[page.length - 1]) : null,
        hasMore,
      },
    });
  },
};
