import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { findClient } from '../../db/clients.js';
import { findClientDelivery } from '../../db/webhooks.js';
import { queueDelivery } from '../../webhooks/outbox.js';
import { toDeliveryView } from '../webhook-delivery-view.js';

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
    if (!original) throw apiErrors.deliveryNotFound(id);
    if (original.status === 'PENDING' || original.status === 'DELIVERING') {
      throw apiErrors.deliveryInProgress(`Delivery ${id} is still ${original.status}; it is retried automatically`);
    }
    // Read fresh: the authenticated client may come from a cache that predates a set-webhook.
    if (!(await findClient(ctx.db, client.id))?.webhook_url) throw apiErrors.webhookNotConfigured();
    const delivery = await ctx.db.transaction().execute((trx) =>
      queueDelivery(trx, {
        event: { id: original.event_id, client_id: original.client_id, event_type: original.event_type },
        redeliveryOf: original.id,
      }),
    );
    res.status(202).json({ success: true, data: { delivery: toDeliveryView(delivery, ctx.config.webhooks) } });
  },
};
