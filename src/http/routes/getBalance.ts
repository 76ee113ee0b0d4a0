import { erc20Abi, formatUnits, getAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';
import { tokenOf } from '../../operations/contracts.js';

export const getBalance: Route = {
  operationId: 'getBalance',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const client = authOf(req).client;
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    if (!wallet) throw apiErrors.walletNotFound();
    const balance = await ctx.publicClient.readContract({
      address: tokenOf(ctx.config, client.token_address),
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [getAddress(wallet.address)],
    });
    res.json({ balance: formatUnits(balance, TOKEN_DECIMALS) });
  },
};
