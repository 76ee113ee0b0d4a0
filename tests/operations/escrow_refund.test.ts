// The escrow_refund definition on its own (tests/operations/escrow-settlement-cases.ts): one refund
// call, back to the payer, and payment.funds.refunded with the client's reason once CONFIRMED.
import { operations } from '../../src/operations/index.js';
import { describeSettlement } from './escrow-settlement-cases.js';
import { payer } from './payments-support.js';

describeSettlement({
  definition: operations.escrow_refund,
  functionName: 'refund',
  event: 'payment.funds.refunded',
  recipient: payer,
  reason: 'Task not completed',
});
