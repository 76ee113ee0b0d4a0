// POST /payments/gas-estimate: a dry run of any operation type for the X-User-Id user — would it be
// accepted, which calls it makes and what gas it would use — with the params its own route takes
// (src/http/operation-params.ts). Needs the `payments` scope and the operation's own scope.
import type { Request, Response } from 'express';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { definitionOf } from '../../operations/index.js';
import { requesterOf, tokenNamedIn } from '../requester.js';
import { checkChainAndToken } from '../../operations/request-values.js';
import { estimateOperationGas } from '../../payments/gas-estimate.js';
import { operationInputOf } from '../operation-params.js';

type GasEstimateBody = { operation: string; params: Record<string, unknown>; chain?: unknown };

/** The definition's precheck (numbers given for amounts) on the params, as its route runs it on its body. */
function runPrecheck(precheck: Route['precheck'], params: Record<string, unknown>): Promise<void> {
  if (!precheck) return Promise.resolve();
  return new Promise((resolve, reject) => precheck({ body: params } as Request, {} as Response, (error?: unknown) => (error ? reject(error) : resolve())));
}

export const estimateGas: Route = {
  operationId: 'estimateGas',
  scope: 'payments',
  handler: (ctx) => async (req, res) => {
    const { client, scopes } = authOf(req);
    const userId = userIdOf(req);
    const body = req.body as GasEstimateBody;
    checkChainAndToken({ chain: body.chain }, { chainId: ctx.config.chain.chainId, clientToken: client.token_address ?? '' });
    const definition = definitionOf(body.operation);
    if (!(scopes as string[]).includes(definition.scope)) throw apiErrors.forbidden(`Estimating a ${definition.type} needs the ${definition.scope} scope`);
    const params = { ...body.params };
    await runPrecheck(definition.precheck, params);
    const input = operationInputOf(definition.operationId, params, { pathId: definition.pathId, withoutPathId: definition.operationIdWithoutPathId });
    const requester = await requesterOf(ctx, client, userId, { token: tokenNamedIn(input), anyToken: definition.anyToken });
    res.setHeader('Cache-Control', 'no-store');
    res.json(await estimateOperationGas(ctx, { definition, input, requester, ownToken: requester.ownToken.address }));
  },
};
