import type { Route } from '../route.js';
import { AppError } from '../errors.js';
import { authOf } from '../request-context.js';
import { findClient } from '../../db/clients.js';
import { findClientDelivery } from '../../db/webhooks.js';
import { queueDelivery } from '../../webhooks/outbox.js';
import { toDeliveryView } from '../webhook-delivery-view.js';

export const webhookNotConfigured = () =>
  new AppError(400, 'WEBHOOK_NOT_CONFIGURED', 'No webhook URL is configured for this client; an operator sets one with `chronos clients set-webhook`');

/**
 * A new delivery of the same event (same body, same webhook-id) with a fresh attempt budget; the
 * original keeps its history. One still being retried is refused rather than sent twice in parallel.
 */
export const redeliverWebhookDelivery: Route = {
  operationId: 'redeliverWebhookDelivery',
  handler: (ctx) => async (req, res) => {
    const { client } = authOf(req);
    const id = String(req.params.deliveryId);
    const original = await findClientDelivery(ctx.db, { clientId: client.id, deliveryId: id });
    // Another client's delivery is indistinguishable from a missing one.
    if (!original) throw new AppError(404, 'DELIVERY_NOT_FOUND', `Webhook delivery ${id} not found`);
    if (original.status === 'PENDING' || original.status === 'DELIVERING') {
      throw new AppError(409, 'DELIVERY_IN_PROGRESS', `Delivery ${id} is still ${original.status}; it is retried automatically`);
    }
    // Read fresh: the authenticated client may come from a cache that predates a set-webhook.
    if (!(await findClient(ctx.db, client.id))?.webhook_url) throw webhookNotConfigured();
    const delivery = await ctx.db.transaction().execute((trx) =>
      queueDelivery(trx, {
        event: { id: original.event_id, client_id: original.client_id, event_type: original.event_type },
        redeliveryOf: original.id,
      }),
    );
    res.status(202).json({ success: true, data: { delivery: toDeliveryView(delivery, ctx.config.webhooks) } });
  },
};
