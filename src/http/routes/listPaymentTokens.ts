// GET /payments/tokens: the tokens the client's operations move — its own ChronosToken first (every
// operation's default), then those `chronos tokens add` gave it — with the amount limits one operation
// must keep within. The own token's name and symbol are read from the contract (once per process), so
// the answer is what the chain says; an added token's were read when it was added.
import { formatUnits, maxUint256 } from 'viem';
import type { Route } from '../route.js';
import { authOf } from '../request-context.js';
import { checkChainAndToken } from '../../operations/request-values.js';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';
import { clientTokensOf } from '../../tokens/client-tokens.js';

export const listPaymentTokens: Route = {
  operationId: 'listPaymentTokens',
  scope: 'payments',
  handler: (ctx) => async (req, res) => {
    const client = authOf(req).client;
    const tokens = clientTokensOf(ctx.config, client, await ctx.clientTokens.get(client.id));
    checkChainAndToken({ chain: req.query.chain }, { chainId: ctx.config.chain.chainId, clientToken: tokens[0].address });
    const format = (wei: bigint) => formatUnits(wei, TOKEN_DECIMALS);
    const described = await Promise.all(
      tokens.map(async (token) => {
        const { name, symbol } = token.own ? await ctx.tokenLabels.get(token.address) : { name: token.name!, symbol: token.symbol! };
        return {
          address: token.address,
          symbol,
          name,
          decimals: TOKEN_DECIMALS,
          // Without a limit: one wei is the least an operation moves, and no more than a uint256 holds.
          minAmount: format(token.minWei ?? 1n),
          maxAmount: format(token.maxWei ?? maxUint256),
          default: token.own,
          chain: ctx.config.chain.chainId,
        };
      }),
    );
    res.json({ tokens: described });
  },
};
