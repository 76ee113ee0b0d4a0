// The registry's operation types by name alone, in registry order, for code that lists them but must
// not load the definitions (viem, the contracts' ABIs): `chronos policy set` declares a flag per type,
// and every `chronos` run reads its flags. tests/policy/quota-operations.test.ts holds the order.
import type { operations } from './index.js';
import { MINT_TYPE } from './mint/type.js';
import { TRANSFER_TYPE } from './transfer/type.js';
import { CLAIM_TYPE } from './claim/type.js';
import { PAYOUT_TYPE } from './payout/type.js';
import { ESCROW_FUND_TYPE } from './escrow-fund/type.js';
import { ESCROW_RELEASE_TYPE } from './escrow-release/type.js';
import { ESCROW_REFUND_TYPE } from './escrow-refund/type.js';
import { WITHDRAWAL_TYPE } from './withdrawal/type.js';
import { CERTIFICATE_ISSUE_TYPE } from './certificate-issue/type.js';
import { CERTIFICATE_REVOKE_TYPE } from './certificate-revoke/type.js';

export const OPERATION_TYPE_NAMES = [
  MINT_TYPE,
  TRANSFER_TYPE,
  CLAIM_TYPE,
  PAYOUT_TYPE,
  ESCROW_FUND_TYPE,
  ESCROW_RELEASE_TYPE,
  ESCROW_REFUND_TYPE,
  WITHDRAWAL_TYPE,
  CERTIFICATE_ISSUE_TYPE,
  CERTIFICATE_REVOKE_TYPE,
] as const;

type Named = (typeof OPERATION_TYPE_NAMES)[number];
type Registered = keyof typeof operations;
/** Compiles only while the names are exactly the registry's types, none missing and none extra. */
export const NAMES_ARE_THE_REGISTRY: [Named, Registered] extends [Registered, Named] ? true : never = true;
