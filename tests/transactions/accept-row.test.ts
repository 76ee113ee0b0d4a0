// What a definition's Acceptance records: one place decides the columns, for every operation type.
import { keccak256, toBytes } from 'viem';
import { acceptanceRow } from '../../src/transactions/accept-row.js';

const key = keccak256(toBytes('k'));

it.each([
  ['params only', { params: { a: '1' } }, { type: 'transfer', params: '{"a":"1"}' }],
  ['a debit', { params: {}, debitWei: 5n }, { type: 'transfer', params: '{}', debit_wei: 5n }],
  ['a receipt', { params: {}, uniqueKey: { column: 'receipt_hash', value: key } }, { type: 'transfer', params: '{}', receipt_hash: key }],
  ['a claim id', { params: {}, uniqueKey: { column: 'claim_id', value: key } }, { type: 'transfer', params: '{}', claim_id: key }],
  ['an ordered nonce and an expiry', { params: {}, orderedNonce: 0n, expiryBlock: 9n }, { type: 'transfer', params: '{}', mint_nonce: 0n, expiry_block: 9n }],
] as const)('records %s', (_, acceptance, row) => {
  expect(acceptanceRow('transfer', acceptance)).toEqual(row);
});
