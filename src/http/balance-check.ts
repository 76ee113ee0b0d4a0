import { erc20Abi, type Address } from 'viem';
import type { Transaction as DbTransaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RouteContext } from './route.js';
import { AppError } from './errors.js';
import { sumInFlightDebits } from '../db/transactions.js';

/**
 * Refuses a debit larger than the balance net of this user's in-flight debits. Runs under the
 * per-user lock; the in-flight sum is read before the chain so an operation landing in between is
 * counted twice (safe), never zero times.
 */
export async function requireAvailableBalance(ctx: RouteContext, trx: DbTransaction<Database>, p: {
  clientId: string; userId: string; walletAddress: Address; debitWei: bigint;
}): Promise<void> {
  const inFlight = await sumInFlightDebits(trx, p);
  const balance = await ctx.publicClient.readContract({
    address: ctx.config.contracts.token, abi: erc20Abi, functionName: 'balanceOf', args: [p.walletAddress], blockTag: 'latest',
  });
  if (balance - inFlight < p.debitWei) throw new AppError(400, 'INSUFFICIENT_BALANCE', 'Insufficient balance');
}
