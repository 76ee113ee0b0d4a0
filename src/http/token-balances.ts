// The client's token balances of one address (GET /wallet/balances, GET /wallets/balance): its own
// ChronosToken first, then those `chronos tokens add` gave it, as the chain holds them and as the API
// will let them be spent. For the user's smart account, in-flight debits on a token (transfers,
// withdrawals, escrow fundings not yet on-chain) are taken off `available`, as accepting does; an
// external address has none, since Chronos never moves tokens from it.
import { erc20Abi, formatUnits, type Address } from 'viem';
import type { Client } from '../db/schema.js';
import { loadAcceptState } from '../db/transactions.js';
import { TOKEN_DECIMALS } from '../chain/token-units.js';
import { clientTokensOf } from '../tokens/client-tokens.js';
import type { RouteContext } from './route.js';

export type TokenBalance = { token: Address; symbol: string; balance: string; pending: string; available: string };

export async function readTokenBalances(
  ctx: RouteContext,
  {
    client,
    address,
    debitsOf,
  }: {
    client: Client;
    address: Address;
    /** The user whose smart account `address` is: their in-flight debits count as pending. */
    debitsOf?: string;
  },
): Promise<{ address: Address; balances: TokenBalance[] }> {
  const tokens = clientTokensOf(ctx.config, client, await ctx.clientTokens.get(client.id));
  // One block for every read: what is pending is what that block does not show yet.
  const block = await ctx.publicClient.getBlockNumber();
  const [onChain, pending] = await Promise.all([
    Promise.all(
      tokens.map(async (token) => {
        const [balance, symbol] = await Promise.all([
          ctx.publicClient.readContract({ address: token.address, abi: erc20Abi, functionName: 'balanceOf', args: [address], blockNumber: block }),
          token.symbol ?? ctx.tokenLabels.get(token.address).then((labels) => labels.symbol),
        ]);
        return { balance, symbol };
      }),
    ),
    debitsOf === undefined
      ? tokens.map(() => ({ debitWei: 0n }))
      : loadAcceptState(
          ctx.db,
          tokens.map((token) => ({ clientId: client.id, userId: debitsOf, block, token: token.address, own: token.own })),
        ),
  ]);
  const format = (wei: bigint) => formatUnits(wei, TOKEN_DECIMALS);
  return {
    address,
    balances: tokens.map((token, i) => {
      const { balance, symbol } = onChain[i];
      const debit = pending[i].debitWei;
      return { token: token.address, symbol, balance: format(balance), pending: format(debit), available: format(balance > debit ? balance - debit : 0n) };
    }),
  };
}
