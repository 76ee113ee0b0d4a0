import type { Route } from '../route.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet, recordWallet } from '../../db/wallets.js';
import { counterfactualAddress } from '../../accounts/counterfactual-address.js';

export const createWallet: Route = {
  operationId: 'createWallet',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const clientId = authOf(req).client.id;
    const existing = await findWallet(ctx.db, { clientId, userId });
    if (existing) return void res.json({ address: existing.address, isNew: false });
    const address = await counterfactualAddress(ctx, { clientId, userId });
    const { wallet, isNew } = await recordWallet(ctx.db, { clientId, userId, address });
    res.json({ address: wallet.address, isNew });
  },
};
