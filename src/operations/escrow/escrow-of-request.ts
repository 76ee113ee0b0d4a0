// What the escrow operations share when they accept: the deployment's escrow contract, and the escrow a
// request names, as its client and payer see it. Another client's escrow, or one another user pays, is
// the same 404 as none: a client cannot learn that someone else's escrow exists.
import type { Address } from 'viem';
import { apiErrors } from '../../app-error.js';
import { escrowOperations, findPaymentIntentByEscrow } from '../../db/payment-intents.js';
import type { PaymentIntent } from '../../db/schema.js';
import { intentStatus, type IntentStatus } from './intent-status.js';
import { checkChainAndToken } from '../request-values.js';
import type { AcceptContext, Requester } from '../types.js';

export const ESCROW_ID = /^0x[0-9a-f]{64}$/;

export function escrowContract(ctx: Pick<AcceptContext, 'config'>): Address {
  const address = ctx.config.contracts.escrow;
  if (!address) throw apiErrors.paymentsNotConfigured();
  return address;
}

/** The path's escrow (`escrowId`, from the route's `input`), when this requester is its payer. */
export async function escrowOfRequest(
  ctx: AcceptContext,
  input: { escrowId: string; chain?: unknown; token?: unknown },
  requester: Requester,
): Promise<{ intent: PaymentIntent; status: IntentStatus }> {
  escrowContract(ctx);
  checkChainAndToken({ chain: input.chain }, { chainId: ctx.config.chain.chainId, clientToken: requester.token });
  const escrowId = input.escrowId.toLowerCase();
  const intent = ESCROW_ID.test(escrowId) ? await findPaymentIntentByEscrow(ctx.db, { clientId: requester.client.id, escrowId }) : undefined;
  if (!intent || intent.payer_user_id !== requester.userId) throw apiErrors.escrowNotFound(input.escrowId);
  // A `token`, when given, must be the escrow's own.
  if (input.token !== undefined) checkChainAndToken({ token: input.token }, { chainId: ctx.config.chain.chainId, clientToken: intent.token_address });
  const status = intentStatus(await escrowOperations(ctx.db, { clientId: requester.client.id, escrowId }));
  return { intent, status };
}

/** A release or refund moves a funded escrow only: one in flight or done answers 409. */
export function requireFunded(status: IntentStatus): void {
  if (status === 'funded') return;
  if (['releasing', 'released', 'refunding', 'refunded'].includes(status)) throw apiErrors.escrowAlreadySettled();
  throw apiErrors.escrowNotFunded(status);
}

/** The route's input: the body, and the escrow id from the path. */
export const escrowInput = (req: { body: unknown; params: Record<string, unknown> }) => ({ ...(req.body as object), escrowId: String(req.params.id) });
