// The payment.* webhook events (README, Payments), sent beside the escrow operations' transaction.*
// ones: payment.intent.created when an intent is recorded, the others when the operation that
// funds, releases or refunds its escrow is CONFIRMED.
import { formatUnits } from 'viem';
import { TOKEN_DECIMALS } from '../../chain/token-units.js';
import type { Transaction } from '../../db/schema.js';

export const PAYMENT_EVENT_TYPES = ['payment.intent.created', 'payment.escrow.funded', 'payment.funds.released', 'payment.funds.refunded'] as const;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];

export type EscrowEventFields = { intentId: string; escrowId: string; amountWei: string };

/** The data every payment event carries (the sibling API's `escrowId`, `amount`, `chain`), and the operation's own fields. */
export function paymentEventData(
  { intentId, escrowId, amountWei }: EscrowEventFields,
  { chainId, token, transaction }: { chainId: number; token: string; transaction?: Transaction },
): Record<string, unknown> {
  return {
    intentId,
    escrowId,
    amount: formatUnits(BigInt(amountWei), TOKEN_DECIMALS),
    token,
    chain: chainId,
    ...(transaction && { transactionId: transaction.id, userId: transaction.user_id, txHash: transaction.tx_hash }),
  };
}
