// Who asks, for an operation (or its dry run): the client, the X-User-Id user and their wallet, and
// the client's own token. A user without a wallet is WALLET_ERROR, as the seed API answers it.
import { getAddress } from 'viem';
import type { RouteContext } from './route.js';
import { apiErrors } from '../app-error.js';
import type { Client } from '../db/schema.js';
import { tokenOf } from '../operations/contracts.js';
import type { Requester } from '../operations/types.js';

export async function requesterOf(ctx: Pick<RouteContext, 'wallets' | 'config'>, client: Client, userId: string): Promise<Requester> {
  const wallet = await ctx.wallets.find({ clientId: client.id, userId });
  if (!wallet) throw apiErrors.walletMissing();
  return { client, userId, wallet, walletAddress: getAddress(wallet.address), token: tokenOf(ctx.config, client.token_address) };
}
