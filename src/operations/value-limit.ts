// What an operation's debit is checked against, decided the same way where requests are accepted
// (src/transactions/accept-batch.ts) and where one is only estimated (src/payments/gas-estimate.ts).
import { apiErrors, type AppError } from '../app-error.js';
import type { ValueLimit } from './types.js';

/** The refusal when `debitWei` on top of what the period has moved already passes the limit. */
export function valueLimitRefusal(limit: ValueLimit, usedWei: bigint, debitWei: bigint, now = Date.now()): AppError | undefined {
  if (usedWei + debitWei <= limit.limitWei) return undefined;
  return limit.refusal(Math.max(1, Math.ceil((limit.until.getTime() - now) / 1000)));
}

/** The refusal when the balance, less what accepted operations will still debit from it, cannot cover `debitWei`. */
export function balanceRefusal(balanceWei: bigint, pendingDebitWei: bigint, debitWei: bigint): AppError | undefined {
  return debitWei > 0n && balanceWei - pendingDebitWei < debitWei ? apiErrors.insufficientBalance() : undefined;
}
