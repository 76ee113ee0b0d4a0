// GET /payments/tokens: the tokens the client's operations move. Each client has exactly one, its own
// ChronosToken (README, Decisions), read from the chain so the answer is what the contract says.
import { erc20Abi, formatUnits, maxUint256 } from 'viem';
import type { Route } from '../route.js';
import { authOf } from '../request-context.js';
import { tokenOf } from '../../operations/contracts.js';
import { checkChainAndToken } from '../../operations/request-values.js';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';

export const listPaymentTokens: Route = {
  operationId: 'listPaymentTokens',
  scope: 'payments',
  handler: (ctx) => async (req, res) => {
    const address = tokenOf(ctx.config, authOf(req).client.token_address);
    checkChainAndToken({ chain: req.query.chain }, { chainId: ctx.config.chain.chainId, clientToken: address });
    const read = (functionName: 'name' | 'symbol' | 'decimals') => ctx.publicClient.readContract({ address, abi: erc20Abi, functionName });
    const [name, symbol, decimals] = await Promise.all([read('name'), read('symbol'), read('decimals')]);
    res.json({
      tokens: [
        {
          address,
          symbol,
          name,
          decimals,
          // Amounts are token units with at most 18 decimals: one wei is the least an operation moves.
          minAmount: formatUnits(1n, TOKEN_DECIMALS),
          maxAmount: formatUnits(maxUint256, TOKEN_DECIMALS),
          chain: ctx.config.chain.chainId,
        },
      ],
    });
  },
};
