// A withdrawal (POST /api/v1/payments/withdrawals): the user's tokens out to an external address. On
// chain it is exactly a transfer, so it builds the transfer's call; it is its own type so that what
// accepting it checks can differ — the client's destination allowlist, whether it must be one of the
// user's linked wallets (README, Connected wallets), and its per-user value limit —
// and so quotas, budgets and webhooks can tell it apart.
import { getAddress, isAddress, zeroAddress, type Address } from 'viem';
import { apiErrors } from '../../app-error.js';
import { parseTokenAmount } from '../../chain/token-units.js';
import { periodEnd } from '../../db/quota-periods.js';
import { findWalletLink } from '../../db/wallet-links.js';
import type { Client } from '../../db/schema.js';
import { checkAmountLimits, checkChainAndToken, INVALID_TOKEN_AMOUNT, numbersToStrings } from '../request-values.js';
import { field, isHexAddress, isWeiString, type OperationDefinition, type ValueLimit } from '../types.js';
import { transfer } from '../transfer/definition.js';
import { WITHDRAWAL_TYPE } from './type.js';

export type WithdrawalParams = { to: Address; amountWei: string };

/** The client's per-user limit for the period it is in now (UTC days, Monday weeks, calendar months). */
function withdrawalLimit(client: Client, now = new Date()): ValueLimit | undefined {
  const { withdrawal_limit_wei: limit, withdrawal_limit_period: period } = client;
  if (limit === null || period === null) return undefined;
  const until = periodEnd(period, now);
  const since = new Date(until);
  if (period === 'daily') since.setUTCDate(until.getUTCDate() - 1);
  else if (period === 'weekly') since.setUTCDate(until.getUTCDate() - 7);
  else since.setUTCMonth(until.getUTCMonth() - 1);
  return {
    limitWei: BigInt(limit),
    since,
    until,
    refusal: (retryAfterSeconds) =>
      apiErrors.withdrawalLimitExceeded(
        `This withdrawal would take the user's ${period} withdrawals over the client's limit of ${limit} wei; the period ends at ${until.toISOString()}`,
        retryAfterSeconds,
      ),
  };
}

export const withdrawal: OperationDefinition<WithdrawalParams, typeof WITHDRAWAL_TYPE, 'payments'> = {
  type: WITHDRAWAL_TYPE,
  scope: 'payments',
  // The same UserOperation as a transfer.
  gasCeiling: transfer.gasCeiling,
  operationId: 'createWithdrawal',
  precheck: numbersToStrings(['amount']),
  anyToken: true,

  async accept(ctx, body, requester) {
    const { client, userId, token } = requester;
    const input = body as { to: string; amount: string; token?: string; chain?: unknown; userId?: string };
    checkChainAndToken(input, { chainId: ctx.config.chain.chainId, clientToken: token });
    if (input.userId !== undefined && input.userId !== userId) throw apiErrors.validation('userId, when given, must be the X-User-Id user');
    if (!isAddress(input.to, { strict: false }) || getAddress(input.to) === zeroAddress)
      throw apiErrors.validation('to must be a non-zero 0x-prefixed 20-byte address');
    const to = getAddress(input.to);
    const amountWei = parseTokenAmount(input.amount);
    if (amountWei === undefined) throw apiErrors.validation(INVALID_TOKEN_AMOUNT);
    checkAmountLimits(amountWei, requester);
    const allowlist = client.withdrawal_allowlist;
    if (allowlist !== null && !allowlist.some((allowed) => allowed.toLowerCase() === to.toLowerCase())) throw apiErrors.withdrawalDestinationNotAllowed(to);
    // Read at accept, like the allowlist: a link removed while the withdrawal is in flight does not stop it.
    if (client.withdrawal_destinations === 'linked' && !(await findWalletLink(ctx.db, { clientId: client.id, userId, address: to.toLowerCase() })))
      throw apiErrors.withdrawalDestinationNotLinked(to);
    return { params: { to, amountWei: amountWei.toString() }, debitWei: amountWei, valueLimit: withdrawalLimit(client) };
  },

  parseParams: (value) => ({ to: field(value, 'to', isHexAddress), amountWei: field(value, 'amountWei', isWeiString) }),
  // A transfer's call, shared rather than copied.
  buildCalls: (contracts, params) => transfer.buildCalls(contracts, params),
  webhookData: ({ to }) => ({ to }),
};
