// POST /payments/intents: records a payment intent and, unless `fund: false`, funds its escrow from the
// X-User-Id user in the same accept (the intent row is written in the accept's database transaction,
// so a refused funding leaves no intent behind). Unfunded, the intent waits for POST /escrows/{id}/fund.
import type { Route } from '../route.js';
import { authOf, userIdOf } from '../request-context.js';
import { acceptOperation, answerAccepted } from '../operation-route.js';
import { operations } from '../../operations/index.js';
import { checkNewIntent, type NewIntentRequest } from '../../operations/escrow-fund/definition.js';
import { paymentEventData } from '../../operations/escrow/events.js';
import { findTransaction } from '../../db/transactions.js';
import { escrowOperations, findPaymentIntent, insertPaymentIntent } from '../../db/payment-intents.js';
import { recordEvent } from '../../webhooks/outbox.js';
import { intentStatus } from '../../operations/escrow/intent-status.js';
import { requesterOf } from '../requester.js';

const { escrow_fund: escrowFund } = operations;

export const createPaymentIntent: Route = {
  operationId: 'createPaymentIntent',
  scope: escrowFund.scope,
  precheck: escrowFund.precheck,
  handler: (ctx) => async (req, res) => {
    const client = authOf(req).client;
    const body = req.body as NewIntentRequest;
    if (body.fund === false) {
      const requester = await requesterOf(ctx, client, userIdOf(req), { token: body.token, anyToken: true });
      const intent = await checkNewIntent(ctx, body, requester);
      await ctx.db.transaction().execute(async (trx) => {
        await insertPaymentIntent(trx, intent);
        await recordEvent(trx, {
          clientId: client.id,
          event: 'payment.intent.created',
          data: paymentEventData(
            { intentId: intent.id, escrowId: intent.escrow_id, amountWei: String(intent.amount_wei) },
            { chainId: ctx.config.chain.chainId, token: intent.token_address },
          ),
        });
      });
      res.status(201).json({ intentId: intent.id, escrowId: intent.escrow_id, status: 'created' });
      return;
    }
    const accepted = await acceptOperation(ctx, escrowFund, req);
    const transactionId = String(accepted.body.transactionId);
    // Read back rather than kept from the accept: a replayed request answers with the intent it created then.
    const funding = await findTransaction(ctx.db, transactionId);
    const { intentId } = escrowFund.parseParams(funding!.params);
    const intent = (await findPaymentIntent(ctx.db, { clientId: client.id, intentId }))!;
    const status = intentStatus(await escrowOperations(ctx.db, { clientId: client.id, escrowId: intent.escrow_id }));
    answerAccepted(res, accepted, { intentId, escrowId: intent.escrow_id, transactionId, status });
  },
};
