// The registry of on-chain operation types: each one whole in its definition (src/operations/<type>/),
// listed once here. Routes, the accept batch, the submit job, quotas, scopes and webhooks ask it.
import type { OperationDefinition } from './types.js';
import { mint } from './mint/definition.js';
import { transfer } from './transfer/definition.js';
import { claim } from './claim/definition.js';
import { payout } from './payout/definition.js';
import { escrowFund } from './escrow-fund/definition.js';
import { escrowRelease } from './escrow-release/definition.js';
import { escrowRefund } from './escrow-refund/definition.js';
import { withdrawal } from './withdrawal/definition.js';
import { certificateIssue } from './certificate-issue/definition.js';
import { certificateRevoke } from './certificate-revoke/definition.js';

/** In the order scopes, quotas and the docs list them. */
export const operations = {
  mint,
  transfer,
  claim,
  payout,
  escrow_fund: escrowFund,
  escrow_release: escrowRelease,
  escrow_refund: escrowRefund,
  withdrawal,
  certificate_issue: certificateIssue,
  certificate_revoke: certificateRevoke,
};

export type OperationType = keyof typeof operations;
export type OperationScope = (typeof operations)[OperationType]['scope'];

export const operationList: readonly OperationDefinition[] = Object.values(operations);
export const OPERATION_TYPES = Object.keys(operations) as OperationType[];
/** Token scopes the operations require; a client also has 'wallet' (src/auth/scopes.ts). */
export const OPERATION_SCOPES = [...new Set(operationList.map((d) => d.scope))] as OperationScope[];

export function isOperationType(type: string): type is OperationType {
  return Object.hasOwn(operations, type);
}

/** The definition of a stored or requested type; throws for one this version does not know. */
export function definitionOf(type: string): OperationDefinition {
  if (!isOperationType(type)) throw new Error(`unknown operation type '${type}'`);
  return operations[type];
}
