import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { escrowOperations, findPaymentIntent } from '../../db/payment-intents.js';
import { toIntentView } from '../../payments/intent-view.js';
import { INTENT_ID } from '../../operations/escrow-fund/definition.js';

export const getPaymentIntent: Route = {
  operationId: 'getPaymentIntent',
  scope: 'payments',
  handler: (ctx) => async (req, res) => {
    const clientId = authOf(req).client.id;
    const intentId = String(req.params.id);
    // Another client's intent is indistinguishable from a missing one.
    // An id that cannot be one is answered without a query (a NUL byte would not even reach Postgres).
    const intent = INTENT_ID.test(intentId) ? await findPaymentIntent(ctx.db, { clientId, intentId }) : undefined;
    if (!intent) throw apiErrors.intentNotFound(intentId);
    const moves = await escrowOperations(ctx.db, { clientId, escrowId: intent.escrow_id });
    res.setHeader('Cache-Control', 'no-store');
    res.json(toIntentView(intent, moves, { chainId: ctx.config.chain.chainId }));
  },
};
