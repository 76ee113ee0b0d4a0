// The mint definition on its own: the stored params it reads back, the mintWithSignature call it
// makes, its refusals before anything is read from the chain, and the words of its nonce and expiry.
import { decodeFunctionData, getAddress, keccak256, encodeAbiParameters, parseAbiParameters } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { contracts, refusalOf } from './support.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';
import { receiptHashOf, signatureShapeProblem } from '../../src/operations/mint/checks.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';

const { mint } = operations;
const to = getAddress('0x3000000000000000000000000000000000000003');
const signature = `0x${'11'.repeat(32)}${'22'.repeat(32)}1b` as const;
const stored = { to, receiptId: 'receipt-1', amountWei: '5', expiryBlock: '100', nonce: '3', signature };

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(mint.parseParams(stored)).toEqual(stored);
  });

  it.each([
    ['no recipient', { ...stored, to: undefined }],
    ['a receipt id that is not a string', { ...stored, receiptId: 7 }],
    ['an amount as a number', { ...stored, amountWei: 5 }],
    ['an expiry block in hex', { ...stored, expiryBlock: '0x64' }],
    ['no nonce', { ...stored, nonce: undefined }],
    ['a signature that is not hex', { ...stored, signature: 'signed' }],
    ['nothing', undefined],
  ])('refuses %s', (_, value) => {
    expect(() => mint.parseParams(value)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one mintWithSignature on the client token, with the stored authorization', () => {
    const calls = mint.buildCalls(contracts, stored);
    expect(calls).toHaveLength(1);
    expect(calls[0].to).toBe(contracts.token);
    expect(decodeFunctionData({ abi: chronosTokenAbi, data: calls[0].data })).toEqual({
      functionName: 'mintWithSignature',
      args: [to, 'receipt-1', 5n, 100n, 3n, signature],
    });
  });
});

describe('accept refuses, before reading the chain', () => {
  const body = { receiptId: 'receipt-1', amount: '5', expiryBlock: '100', nonce: '3', signature };
  it.each([
    [{ ...body, receiptId: 'with space' }, 'VALIDATION_ERROR', 'receiptId must be 1-256 characters: letters, digits, dashes and underscores'],
    [{ ...body, amount: '05' }, 'VALIDATION_ERROR', 'amount must be a non-negative integer (decimal string)'],
    [{ ...body, amount: '0' }, 'VALIDATION_ERROR', 'amount must be greater than 0 (in wei)'],
    [{ ...body, expiryBlock: (2n ** 256n).toString() }, 'VALIDATION_ERROR', 'expiryBlock must be a non-negative integer (decimal string)'],
    [{ ...body, nonce: '-1' }, 'VALIDATION_ERROR', 'nonce must be a non-negative integer (decimal string)'],
    [{ ...body, signature: '0x1234' }, 'VALIDATION_ERROR', 'signature must be 65 bytes as 0x-prefixed hex'],
    [
      { ...body, signature: `${signature.slice(0, -2)}01` },
      'INVALID_SIGNATURE',
      'Client signature verification failed: v must be 27 or 28 (got 1); add 27 to a 0/1 recovery id',
    ],
  ])('%j', async (given, code, message) => {
    expect(await refusalOf(mint, given)).toEqual({ status: 400, code, message });
  });
});

describe('its refusals and expiry', () => {
  it('answers a receipt in use with RECEIPT_ALREADY_MINTED', () => {
    expect(mint.uniqueConflict?.()).toMatchObject({ status: 409, code: 'RECEIPT_ALREADY_MINTED', message: 'Receipt has already been minted' });
  });

  it('answers a nonce out of order with INVALID_NONCE, naming the one expected', () => {
    expect(mint.nonceRefusal?.(4n, 2n)).toMatchObject({
      status: 400,
      code: 'INVALID_NONCE',
      message: 'nonce 4 is not current (expected 2); call /mint/prepare again and sign with its nonce',
    });
  });

  it('ends MINT_EXPIRED past its expiry block', () => {
    expect(mint.expiry?.errorCode).toBe('MINT_EXPIRED');
    expect(mint.expiry?.unsentMessage('100')).toBe('expiryBlock 100 passed before the mint could be submitted');
  });
});

describe('the checks of its signature and receipt', () => {
  it('refuses a high-s signature, the malleable twin of a valid one', () => {
    const high = `0x${'11'.repeat(32)}${'ff'.repeat(32)}1c` as const;
    expect(signatureShapeProblem(high)).toMatch(/^s is in the upper half of the curve order/);
    expect(signatureShapeProblem(signature)).toBeUndefined();
  });

  it('keys a receipt by keccak256 of its id', () => {
    expect(receiptHashOf('receipt-1')).toBe(keccak256(new TextEncoder().encode('receipt-1')));
  });

  it('hashes the documented message, which a signer signs with EIP-191', async () => {
    const request = { token: contracts.token, chainId: 31337, to, receiptId: 'receipt-1', amount: 5n, expiryBlock: 100n, nonce: 3n };
    const expected = keccak256(
      encodeAbiParameters(parseAbiParameters('address, uint256, address, string, uint256, uint256, uint256'), [
        contracts.token,
        31337n,
        to,
        'receipt-1',
        5n,
        100n,
        3n,
      ]),
    );
    expect(mintMessageHash(request)).toBe(expected);
    const signer = privateKeyToAccount(generatePrivateKey());
    expect(signatureShapeProblem(await signer.signMessage({ message: { raw: expected } }))).toBeUndefined();
  });
});
