// A definition's Acceptance as the transaction row the accept batch inserts: the one place that
// decides which column records what (params, debit, unique key, ordered nonce, expiry, quota units).
import type { OperationType } from '../operations/index.js';
import type { Acceptance } from '../operations/types.js';
import type { AcceptRequest } from './accept-batch.js';

export function acceptanceRow(type: OperationType, acceptance: Acceptance<unknown>): AcceptRequest['row'] {
  const { params, debitWei, uniqueKey, orderedNonce, expiryBlock, countsAsUnits } = acceptance;
  return {
    type,
    params: JSON.stringify(params),
    ...(debitWei !== undefined && { debit_wei: debitWei }),
    ...(uniqueKey && { [uniqueKey.column]: uniqueKey.value }),
    ...(orderedNonce !== undefined && { mint_nonce: orderedNonce }),
    ...(expiryBlock !== undefined && { expiry_block: expiryBlock }),
    ...(countsAsUnits !== undefined && { counts_as_units: countsAsUnits }),
  };
}
