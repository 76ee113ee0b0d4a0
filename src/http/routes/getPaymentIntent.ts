import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { escrowOperations, findPaymentIntent } from '../../db/payment-intents.js';
import { toIntentView } from '../../payments/intent-view.js';

export const getPaymentIntent: Route = {
  operationId: 'getPaymentIntent',
  scope: 'payments',
  handler: (ctx) => async (req, res) => {
    const clientId = authOf(req).client.id;
    const intentId = String(req.params.id);
    // Another client's intent is indistinguishable from a missing one.
    const intent = await findPaymentIntent(ctx.db, { clientId, intentId });
    if (!intent) throw apiErrors.intentNotFound(intentId);
    const moves = await escrowOperations(ctx.db, { clientId, escrowId: intent.escrow_id });
    res.setHeader('Cache-Control', 'no-store');
    res.json(toIntentView(intent, moves, { chainId: ctx.config.chain.chainId }));
  },
};
