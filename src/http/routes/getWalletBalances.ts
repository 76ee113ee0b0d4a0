// GET /wallet/balances: the user's balance of each of the client's tokens, as the chain holds it and as
// the API will let them spend it: in-flight debits (transfers, withdrawals, escrow fundings not yet
// on-chain) are taken off `available`, as accepting does.
import { erc20Abi, formatUnits, getAddress } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, userIdOf } from '../request-context.js';
import { findWallet } from '../../db/wallets.js';
import { loadAcceptState } from '../../db/transactions.js';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';
import { tokenOf } from '../../operations/contracts.js';

export const getWalletBalances: Route = {
  operationId: 'getWalletBalances',
  scope: 'wallet',
  handler: (ctx) => async (req, res) => {
    const userId = userIdOf(req);
    const client = authOf(req).client;
    const wallet = await findWallet(ctx.db, { clientId: client.id, userId });
    if (!wallet) throw apiErrors.walletNotFound();
    const token = tokenOf(ctx.config, client.token_address);
    // One block for both reads: what is pending is what that block does not show yet.
    const block = await ctx.publicClient.getBlockNumber();
    const [balance, symbol, [state]] = await Promise.all([
      ctx.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [getAddress(wallet.address)], blockNumber: block }),
      ctx.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' }),
      loadAcceptState(ctx.db, [{ clientId: client.id, userId, block }]),
    ]);
    const pending = state.debitWei;
    const format = (wei: bigint) => formatUnits(wei, TOKEN_DECIMALS);
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      address: getAddress(wallet.address),
      balances: [{ token, symbol, balance: format(balance), pending: format(pending), available: format(balance > pending ? balance - pending : 0n) }],
    });
  },
};
