import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { findClient } from '../../db/clients.js';
import { queueTestEvent } from '../../webhooks/outbox.js';
import { toDeliveryView } from '../webhook-delivery-view.js';

/** Queues a `webhook.test` event through the same pipeline (signing, retries, history) as real ones. */
export const sendTestWebhook: Route = {
  operationId: 'sendTestWebhook',
  handler: (ctx) => async (req, res) => {
    const { client } = authOf(req);
    if (!(await findClient(ctx.db, client.id))?.webhook_url) throw apiErrors.webhookNotConfigured();
    const delivery = await ctx.db.transaction().execute((trx) => queueTestEvent(trx, { clientId: client.id }));
    res.status(202).json({ success: true, data: { delivery: toDeliveryView(delivery, ctx.config.webhooks) } });
  },
};
