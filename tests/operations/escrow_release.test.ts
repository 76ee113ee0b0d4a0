// The escrow_release definition on its own (tests/operations/escrow-settlement-cases.ts): one release
// call, paying the payee, and payment.funds.released once CONFIRMED.
import { operations } from '../../src/operations/index.js';
import { describeSettlement } from './escrow-settlement-cases.js';
import { payee } from './payments-support.js';

describeSettlement({ definition: operations.escrow_release, functionName: 'release', event: 'payment.funds.released', recipient: payee });
