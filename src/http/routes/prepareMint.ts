import { getAddress, isAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { operations } from '../../operations/index.js';
import { tokenOf } from '../../operations/contracts.js';
import { EXTERNAL_ID } from '../../operations/request-values.js';
import { nextMintNonce, requireReceiptUnused } from '../../operations/mint/checks.js';

export const prepareMint: Route = {
  operationId: 'prepareMint',
  scope: operations.mint.scope,
  handler: (ctx) => async (req, res) => {
    const { receiptId, userAddress } = req.body as { receiptId: string; userAddress: string };
    const userId = userIdOf(req);
    if (!EXTERNAL_ID.test(receiptId)) throw apiErrors.validation('receiptId must be 1-256 characters: letters, digits, dashes and underscores');
    if (!isAddress(userAddress, { strict: false })) throw apiErrors.validation('userAddress must be a 0x-prefixed 20-byte address');
    const client = authOf(req).client;
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    if (!wallet) throw apiErrors.walletMissing();
    if (getAddress(userAddress) !== getAddress(wallet.address)) throw apiErrors.addressMismatch();
    // The client's own token: its receipts, nonces and signatures are separate from every other client's.
    const token = tokenOf(ctx.config, client.token_address);
    await requireReceiptUnused(ctx, { token, receiptId });
    const [block, nonce] = await Promise.all([
      ctx.publicClient.getBlockNumber({ cacheTime: 0 }),
      nextMintNonce(ctx, { token, walletAddress: getAddress(wallet.address) }),
    ]);
    res.json({
      contractAddress: token,
      chainId: ctx.config.chain.chainId,
      expiryBlock: (block + BigInt(ctx.config.transactions.mintExpiryBlocks)).toString(),
      nonce: nonce.toString(),
    });
  },
};
