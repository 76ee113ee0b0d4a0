// GET /payments/intents/{id} and the intent routes' answers: an intent as the API shows it, with its
// status read from its escrow's operations.
import { formatUnits } from 'viem';
import { TOKEN_DECIMALS } from '../chain/token-units.js';
import type { EscrowOperation } from '../db/payment-intents.js';
import type { PaymentIntent } from '../db/schema.js';
import { intentStatus } from '../operations/escrow/intent-status.js';

export function toIntentView(intent: PaymentIntent, operations: EscrowOperation[], { chainId }: { chainId: number }) {
  const updated = [new Date(intent.created_at), ...operations.map((o) => new Date(o.updated_at))].reduce((a, b) => (b > a ? b : a));
  return {
    intentId: intent.id,
    escrowId: intent.escrow_id,
    status: intentStatus(operations),
    amount: formatUnits(BigInt(intent.amount_wei), TOKEN_DECIMALS),
    token: intent.token_address,
    chain: chainId,
    // The sibling API's names: who asked to pay (the payer's smart account) and who is paid.
    requester: intent.payer_address,
    executor: intent.payee_address,
    payerUserId: intent.payer_user_id,
    payeeUserId: intent.payee_user_id,
    metadata: { description: intent.description, durationSeconds: intent.duration_seconds },
    createdAt: new Date(intent.created_at).toISOString(),
    updatedAt: updated.toISOString(),
    transactions: operations.map((o) => ({
      transactionId: o.id,
      type: o.type,
      status: o.status,
      txHash: o.tx_hash,
      errorCode: o.error_code,
      createdAt: new Date(o.created_at).toISOString(),
    })),
  };
}
