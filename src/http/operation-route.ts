// The route of every on-chain operation type, built from its definition: who and which wallet,
// idempotency replay, the definition's own checks (`accept`), then one database transaction
// (README, How an operation travels).
import type { Request, Response } from 'express';
import type { Route, RouteContext } from './route.js';
import { AppError } from '../app-error.js';
import { authOf, userIdOf } from './request-context.js';
import type { OperationType } from '../operations/index.js';
import type { OperationDefinition } from '../operations/types.js';
import type { Scope } from '../auth/scopes.js';
import { requesterOf, tokenNamedIn } from './requester.js';
import { failpoint } from '../observability/failpoints.js';
import { parseIdempotencyKey, replayIfKnown, requestFingerprint, type AcceptedResponse } from '../transactions/idempotency.js';
import { acceptanceRow } from '../transactions/accept-row.js';

export function operationRoute<Params>(definition: OperationDefinition<Params, OperationType, Scope>): Route {
  return {
    operationId: definition.operationId,
    scope: definition.scope,
    precheck: definition.precheck,
    handler: (ctx) => async (req, res) => {
      const accepted = await acceptOperation(ctx, definition, req);
      answerAccepted(res, accepted, accepted.body);
    },
  };
}

/**
 * Accepts the request as an operation of `definition`: the route's whole work but its answer, for
 * routes that answer more than the transaction (a payment intent).
 */
export async function acceptOperation<Params>(
  ctx: RouteContext,
  definition: OperationDefinition<Params, OperationType, Scope>,
  req: Request,
): Promise<AcceptedResponse & { quotaRemaining?: number }> {
  const { operationId } = definition;
  const client = authOf(req).client;
  const userId = userIdOf(req);
  const input = definition.input ? definition.input(req) : req.body;
  const key = parseIdempotencyKey(req.headers['x-idempotency-key']);
  const idempotency = key ? { key, requestHash: requestFingerprint({ operationId, userId, body: input }) } : undefined;
  // A retry of an accepted request is answered before any check that its own success would now fail.
  const known = idempotency && (await replayIfKnown(ctx.db, { clientId: client.id, ...idempotency }));
  const accepted =
    known
    || (await (async () => {
      const requester = await requesterOf(ctx, client, userId, { token: tokenNamedIn(input), anyToken: definition.anyToken });
      const acceptance = await definition.accept(ctx, input, requester);
      // The definition may name the token itself (an escrow's); else the one the request chose.
      const token = acceptance.token ?? requester.token;
      return ctx.acceptor.accept({
        clientId: client.id,
        userId,
        walletAddress: requester.walletAddress,
        token,
        ordered: token === requester.ownToken.address,
        idempotency,
        row: acceptanceRow(definition.type, acceptance),
        gasCeiling: acceptance.gasCeiling,
        valueLimit: acceptance.valueLimit,
        alsoRecord: acceptance.alsoRecord,
        events: acceptance.acceptEvents,
      });
    })().catch(async (error: unknown) => {
      // A concurrent twin with the same key may have been accepted after the replay check above; its
      // success is then why this one's checks refuse (RECEIPT_ALREADY_MINTED, ...): answer its 202. Not
      // for a 503: an overloaded accept path is not asked for more reads, and a retry replays anyway.
      const twin = idempotency && error instanceof AppError && error.status < 500 && (await replayIfKnown(ctx.db, { clientId: client.id, ...idempotency }));
      if (twin) return twin;
      throw error;
    }));
  if (!accepted.replayed) failpoint('after-accept-commit');
  return accepted;
}

/** The accepted answer: its status, the replay and quota headers, and `body`. */
export function answerAccepted(res: Response, accepted: AcceptedResponse & { quotaRemaining?: number }, body: unknown): void {
  if (accepted.replayed) res.setHeader('Idempotent-Replayed', 'true');
  if (accepted.quotaRemaining !== undefined) res.setHeader('X-Quota-Remaining', String(accepted.quotaRemaining));
  res.status(accepted.status).json(body);
}
