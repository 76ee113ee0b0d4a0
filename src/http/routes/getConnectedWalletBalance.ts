// GET /wallets/balance?address=: the client's token balances (as GET /wallet/balances answers them)
// of one of the X-User-Id user's linked wallets, or of the user's own smart account. Any other address
// is a 404: this is not a way to read arbitrary addresses through a client's credentials.
import { getAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { findWalletLink } from '../../db/wallet-links.js';
import { readTokenBalances } from '../token-balances.js';
import { addressField } from '../../wallets/link-view.js';

export const getConnectedWalletBalance: Route = {
  operationId: 'getConnectedWalletBalance',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const client = authOf(req).client;
    const address = addressField(req.query.address, 'address');
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    const own = wallet !== undefined && getAddress(wallet.address) === address;
    if (!own && !(await findWalletLink(ctx.db, { clientId: client.id, userId, address: address.toLowerCase() }))) throw apiErrors.walletLinkNotFound();
    const balances = await readTokenBalances(ctx, { client, address, ...(own && { debitsOf: userId }) });
    res.setHeader('Cache-Control', 'no-store');
    res.json(balances);
  },
};
