// Refunding an escrow: its tokens back to the payer, with the client's reason (src/operations/escrow/settlement.ts).
import { escrowSettlement } from '../escrow/settlement.js';
import { ESCROW_REFUND_TYPE } from './type.js';

export const escrowRefund = escrowSettlement({
  type: ESCROW_REFUND_TYPE,
  operationId: 'refundEscrow',
  functionName: 'refund',
  event: 'payment.funds.refunded',
});
