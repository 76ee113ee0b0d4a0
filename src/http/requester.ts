// Who asks, for an operation (or its dry run): the client, the X-User-Id user and their wallet, and the
// token the request names among the client's (its own when it names none), with that token's amount
// limits. A user without a wallet is WALLET_ERROR, as the seed API answers it.
import { getAddress } from 'viem';
import type { RouteContext } from './route.js';
import { apiErrors } from '../app-error.js';
import type { Client } from '../db/schema.js';
import type { Requester } from '../operations/types.js';
import { chooseToken, clientTokensOf, type TokenChoice } from '../tokens/client-tokens.js';

export type RequesterOfRoute = Requester & { tokenChoice: TokenChoice; ownToken: TokenChoice };

export async function requesterOf(
  ctx: Pick<RouteContext, 'wallets' | 'config' | 'clientTokens'>,
  client: Client,
  userId: string,
  { token, anyToken = false }: { token?: unknown; anyToken?: boolean } = {},
): Promise<RequesterOfRoute> {
  const [wallet, rows] = await Promise.all([ctx.wallets.find({ clientId: client.id, userId }), ctx.clientTokens.get(client.id)]);
  if (!wallet) throw apiErrors.walletMissing();
  const tokens = clientTokensOf(ctx.config, client, rows);
  const choice = chooseToken(tokens, token, { ownOnly: !anyToken });
  return {
    client,
    userId,
    wallet,
    walletAddress: getAddress(wallet.address),
    token: choice.address,
    ...((choice.minWei !== undefined || choice.maxWei !== undefined) && { tokenLimits: { minWei: choice.minWei, maxWei: choice.maxWei } }),
    tokenChoice: choice,
    ownToken: tokens[0],
  };
}

/** The `token` a request body names, if any. */
export const tokenNamedIn = (input: unknown): unknown => (input && typeof input === 'object' ? (input as { token?: unknown }).token : undefined);
