// POST /wallets/connect { address, message, signature }: links an external wallet to the X-User-Id
// user once the wallet has signed the Sign-In-with-Ethereum message Chronos issued for it. The
// signature is checked by the chain's verifyMessage, so an EOA, an ERC-1271 contract wallet and a
// not-yet-deployed ERC-6492 one all pass. The nonce is used, the link recorded and wallet.connected
// queued in one database transaction: of two requests with one message, exactly one links.
// No session token is issued: the client backend already knows its user.
import type { Hex } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { consumeWalletLinkNonce, findWalletLinkNonce, insertWalletLink } from '../../db/wallet-links.js';
import { recordEvent } from '../../webhooks/outbox.js';
import { readLinkMessage } from '../../wallets/siwe.js';
import { addressField, toWalletLinkView } from '../../wallets/link-view.js';

type ConnectRequest = { address: string; message: string; signature: Hex };

export const connectWallet: Route = {
  operationId: 'connectWallet',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const clientId = authOf(req).client.id;
    const body = req.body as ConnectRequest;
    const given = addressField(body.address, 'address');
    const { nonce, address } = readLinkMessage({ ...ctx.config.siwe, chainId: ctx.config.chain.chainId }, { message: body.message, address: given });

    // Whatever another client or user was issued reads as unknown here: nothing about it is told.
    const issued = await findWalletLinkNonce(ctx.db, nonce);
    if (!issued || issued.client_id !== clientId || issued.user_id !== userId || issued.address !== address.toLowerCase())
      throw apiErrors.siweNonceInvalid(
        'This message was not issued to this client for this user and address: request one from GET /api/v1/wallets/connect/nonce',
      );
    if (issued.message !== body.message)
      throw apiErrors.siweNonceInvalid('This message differs from the one issued with its nonce: sign the issued message unchanged');
    if (issued.used_at !== null) throw apiErrors.siweNonceUsed();
    if (issued.expires_at.getTime() <= Date.now()) throw apiErrors.siweMessageExpired();

    const valid = await ctx.publicClient.verifyMessage({ address, message: body.message, signature: body.signature });
    if (!valid) throw apiErrors.invalidSignature(`the signature is not ${address}'s over this message`);

    const linked = await ctx.db.transaction().execute(async (trx) => {
      if (!(await consumeWalletLinkNonce(trx, { nonce }))) return undefined;
      const { link, isNew } = await insertWalletLink(trx, { clientId, userId, address: address.toLowerCase() });
      if (link.user_id !== userId) throw apiErrors.walletAlreadyLinked();
      if (isNew) await recordEvent(trx, { clientId, event: 'wallet.connected', data: toWalletLinkView(link) });
      return { link, isNew };
    });
    if (!linked) {
      // Lost a race: another request used it meanwhile, or it expired since it was read.
      const now = await findWalletLinkNonce(ctx.db, nonce);
      throw now?.used_at ? apiErrors.siweNonceUsed() : apiErrors.siweMessageExpired();
    }
    res.status(linked.isNew ? 201 : 200).json(toWalletLinkView(linked.link));
  },
};
