// Releasing an escrow: its tokens to the payee (src/operations/escrow/settlement.ts).
import { escrowSettlement } from '../escrow/settlement.js';
import { ESCROW_RELEASE_TYPE } from './type.js';

export const escrowRelease = escrowSettlement({
  type: ESCROW_RELEASE_TYPE,
  operationId: 'releaseEscrow',
  functionName: 'release',
  event: 'payment.funds.released',
});
