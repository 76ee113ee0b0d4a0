// POST /wallets/disconnect { address }: unlinks one of the X-User-Id user's wallets, and queues
// wallet.disconnected in the same database transaction. Another user's (or client's) link is not
// theirs to remove: 404, as for an address never linked.
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { deleteWalletLink } from '../../db/wallet-links.js';
import { recordEvent } from '../../webhooks/outbox.js';
import { addressField, toWalletLinkView } from '../../wallets/link-view.js';

export const disconnectWallet: Route = {
  operationId: 'disconnectWallet',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const clientId = authOf(req).client.id;
    const address = addressField((req.body as { address?: unknown }).address, 'address');
    await ctx.db.transaction().execute(async (trx) => {
      const removed = await deleteWalletLink(trx, { clientId, userId, address: address.toLowerCase() });
      if (!removed) throw apiErrors.walletLinkNotFound();
      await recordEvent(trx, { clientId, event: 'wallet.disconnected', data: { ...toWalletLinkView(removed), disconnectedAt: new Date().toISOString() } });
    });
    res.json({ success: true, address });
  },
};
