// GET /wallets: the X-User-Id user's linked wallets, oldest first.
import type { Route } from '../route.js';
import { authOf, userIdOf } from '../request-context.js';
import { listWalletLinks } from '../../db/wallet-links.js';
import { toWalletLinkView } from '../../wallets/link-view.js';

export const listConnectedWallets: Route = {
  operationId: 'listConnectedWallets',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const links = await listWalletLinks(ctx.db, { clientId: authOf(req).client.id, userId: userIdOf(req) });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ wallets: links.map(toWalletLinkView) });
  },
};
