// GET /wallet/balances: the user's balance of each of the client's tokens, net of their in-flight
// debits (src/http/token-balances.ts).
import { getAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { readTokenBalances } from '../token-balances.js';

export const getWalletBalances: Route = {
  operationId: 'getWalletBalances',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const client = authOf(req).client;
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    if (!wallet) throw apiErrors.walletNotFound();
    const balances = await readTokenBalances(ctx, { client, address: getAddress(wallet.address), debitsOf: userId });
    res.setHeader('Cache-Control', 'no-store');
    res.json(balances);
  },
};
