// The claim definition on its own: the stored params it reads back, the approve + claim it makes, and
// the refusals it answers before anything is read from the chain.
import { decodeFunctionData, erc20Abi, keccak256, toBytes } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { contracts, refusalOf } from './support.js';
import { claimVaultAbi } from '../../src/chain/contracts/abi.js';

const { claim } = operations;
const claimIdBytes32 = keccak256(toBytes('claim-1'));

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    const stored = { claimId: 'claim-1', claimIdBytes32, amountWei: '7' };
    expect(claim.parseParams(stored)).toEqual(stored);
  });

  it.each([
    ['no claim id', { claimIdBytes32, amountWei: '7' }],
    ['a bytes32 id that is not hex', { claimId: 'claim-1', claimIdBytes32: 'claim-1', amountWei: '7' }],
    ['no amount', { claimId: 'claim-1', claimIdBytes32 }],
    ['an amount in tokens', { claimId: 'claim-1', claimIdBytes32, amountWei: '7.5' }],
    ['a string', 'claim-1'],
  ])('refuses %s', (_, stored) => {
    expect(() => claim.parseParams(stored)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('approves the vault for exactly the amount, then claims it, in that order', () => {
    const calls = claim.buildCalls(contracts, { claimId: 'claim-1', claimIdBytes32, amountWei: '7' });
    expect(calls.map((c) => c.to)).toEqual([contracts.token, contracts.claimVault]);
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0].data })).toEqual({ functionName: 'approve', args: [contracts.claimVault, 7n] });
    expect(decodeFunctionData({ abi: claimVaultAbi, data: calls[1].data })).toEqual({
      functionName: 'claim',
      args: [contracts.token, claimIdBytes32, 7n],
    });
  });
});

describe('accept refuses, before reading the chain', () => {
  it.each([
    [{ claimId: 'has space', amount: '1' }, 'VALIDATION_ERROR', 'claimId must be 1-256 characters: letters, digits, dashes and underscores'],
    [{ claimId: 'claim-1', claimIdBytes32: '0x12', amount: '1' }, 'VALIDATION_ERROR', 'claimIdBytes32 must be 0x followed by 64 hex characters'],
    [{ claimId: 'claim-1', claimIdBytes32: keccak256(toBytes('other')), amount: '1' }, 'CLAIM_ID_MISMATCH', 'claimIdBytes32 does not equal keccak256(claimId)'],
    [
      { claimId: 'claim-1', amount: 'ten' },
      'VALIDATION_ERROR',
      'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"',
    ],
  ])('%j', async (body, code, message) => {
    expect(await refusalOf(claim, body)).toEqual({ status: 400, code, message });
  });

  it('answers a claim id in use with CLAIM_ALREADY_USED', () => {
    expect(claim.uniqueConflict?.()).toMatchObject({ status: 409, code: 'CLAIM_ALREADY_USED', message: 'This claim id has already been used' });
  });
});
