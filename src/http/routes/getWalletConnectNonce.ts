// GET /wallets/connect/nonce?address=: a Sign-In-with-Ethereum message for the user to sign with the
// wallet they want to link, bound to this client, this user and that address, usable once before it
// expires. Issuing more than SIWE_MAX_OPEN_NONCES unused ones drops the user's oldest.
import type { Route } from '../route.js';
import { authOf, userIdOf } from '../request-context.js';
import { insertWalletLinkNonce } from '../../db/wallet-links.js';
import { createLinkMessage } from '../../wallets/siwe.js';
import { addressField } from '../../wallets/link-view.js';

export const getWalletConnectNonce: Route = {
  operationId: 'getWalletConnectNonce',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const clientId = authOf(req).client.id;
    const address = addressField(req.query.address, 'address');
    const { domain, uri, nonceTtlSeconds, maxOpenNonces } = ctx.config.siwe;
    const issued = createLinkMessage({ domain, uri, chainId: ctx.config.chain.chainId }, { address, clientId, userId, ttlSeconds: nonceTtlSeconds });
    await ctx.db
      .transaction()
      .execute((trx) => insertWalletLinkNonce(trx, { ...issued, clientId, userId, address: address.toLowerCase() }, { maxOpen: maxOpenNonces }));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ address, message: issued.message, nonce: issued.nonce, expiresAt: issued.expiresAt.toISOString() });
  },
};
