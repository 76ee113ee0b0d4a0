// GET /wallet/balances: the user's balance of each of the client's tokens (its own first, then those
// `chronos tokens add` gave it), as the chain holds it and as the API will let them spend it: in-flight
// debits on that token (transfers, withdrawals, escrow fundings not yet on-chain) are taken off `available`,
// as accepting does.
import { erc20Abi, formatUnits, getAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { loadAcceptState } from '../../db/transactions.js';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';
import { clientTokensOf } from '../../tokens/client-tokens.js';

export const getWalletBalances: Route = {
  operationId: 'getWalletBalances',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const client = authOf(req).client;
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    if (!wallet) throw apiErrors.walletNotFound();
    const address = getAddress(wallet.address);
    const tokens = clientTokensOf(ctx.config, client, await ctx.clientTokens.get(client.id));
    // One block for every read: what is pending is what that block does not show yet.
    const block = await ctx.publicClient.getBlockNumber();
    const [onChain, pending] = await Promise.all([
      Promise.all(
        tokens.map(async (token) => {
          const [balance, symbol] = await Promise.all([
            ctx.publicClient.readContract({ address: token.address, abi: erc20Abi, functionName: 'balanceOf', args: [address], blockNumber: block }),
            token.symbol ?? ctx.publicClient.readContract({ address: token.address, abi: erc20Abi, functionName: 'symbol' }),
          ]);
          return { balance, symbol };
        }),
      ),
      loadAcceptState(
        ctx.db,
        tokens.map((token) => ({ clientId: client.id, userId, block, token: token.address, own: token.own })),
      ),
    ]);
    const format = (wei: bigint) => formatUnits(wei, TOKEN_DECIMALS);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      address,
      balances: tokens.map((token, i) => {
        const { balance, symbol } = onChain[i];
        const debit = pending[i].debitWei;
        return { token: token.address, symbol, balance: format(balance), pending: format(debit), available: format(balance > debit ? balance - debit : 0n) };
      }),
    });
  },
};
