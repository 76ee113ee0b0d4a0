// The certificate_revoke definition on its own: one revoke call on the contract the certificate was
// issued on, its stored shape, its input (the path's id beside the body), and the certificate.revoked
// event it adds once CONFIRMED. What accepting reads (the certificate, its status, the chain) is
// tested against the real stack (tests/http/revokeCertificate.test.ts).
import { decodeFunctionData, getAddress, keccak256, toHex } from 'viem';
import type { Request } from 'express';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { chronosCertificateAbi } from '../../src/chain/contracts/abi.js';
import { certificateStatus } from '../../src/operations/certificate/status.js';
import type { Transaction } from '../../src/db/schema.js';
import { paymentContracts } from './payments-support.js';

const { certificate_revoke: certificateRevoke } = operations;
const contract = getAddress('0xc00000000000000000000000000000000000000c');
const verificationHash = keccak256(toHex('a certificate'));
const tokenId = BigInt(verificationHash).toString();
const params = {
  certificateId: 'cert_01jabcdefghjkmnpqrstvwxyz0',
  contract,
  verificationHash,
  tokenId,
  reason: 'Fraudulent completion',
  signature: `0x${'cd'.repeat(65)}`,
} as const;

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(certificateRevoke.parseParams(JSON.parse(JSON.stringify(params)))).toEqual(params);
  });

  it('refuses a shape that is not one', () => {
    expect(() => certificateRevoke.parseParams({ ...params, tokenId: '-1' })).toThrow(InvalidParamsError);
    expect(() => certificateRevoke.parseParams({ ...params, reason: 7 })).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one revoke call with the token id and the reason', () => {
    const calls = certificateRevoke.buildCalls(paymentContracts, params);
    expect(calls).toEqual([{ to: contract, data: expect.any(String) }]);
    expect(decodeFunctionData({ abi: chronosCertificateAbi, data: calls[0].data })).toEqual({
      functionName: 'revoke',
      args: [BigInt(tokenId), params.reason, params.signature],
    });
  });
});

it("takes the certificate's id from the path beside the body", () => {
  const req = { body: { reason: 'why' }, params: { id: 'cert_x' } } as unknown as Request;
  expect(certificateRevoke.input!(req)).toEqual({ reason: 'why', certificateId: 'cert_x' });
});

describe('events', () => {
  const transaction = (status: Transaction['status']) => ({ id: 'tx_2', user_id: 'admin', tx_hash: '0xbeef', status }) as Transaction;

  it('adds certificate.revoked once CONFIRMED, with the reason', () => {
    expect(certificateRevoke.events!(params, transaction('CONFIRMED'))).toEqual([
      {
        event: 'certificate.revoked',
        data: {
          certificateId: params.certificateId,
          tokenId,
          verificationHash,
          contract,
          transactionId: 'tx_2',
          userId: 'admin',
          txHash: '0xbeef',
          reason: params.reason,
        },
      },
    ]);
    expect(certificateRevoke.events!(params, transaction('REVERTED'))).toEqual([]);
  });
});

describe("a certificate's status, from its operations", () => {
  const issue = (status: Transaction['status']) => ({ id: 'tx_issue', type: 'certificate_issue', status });
  const revoke = (id: string, status: Transaction['status']) => ({ id, type: 'certificate_revoke', status });

  it.each([
    [[issue('ACCEPTED')], 'issuing'],
    [[issue('SUBMITTED')], 'issuing'],
    [[issue('FAILED')], 'failed'],
    [[issue('REVERTED')], 'failed'],
    [[issue('CONFIRMED')], 'issued'],
    [[issue('CONFIRMED'), revoke('r1', 'SUBMITTING')], 'revoking'],
    [[issue('CONFIRMED'), revoke('r1', 'FAILED')], 'issued'],
    [[issue('CONFIRMED'), revoke('r1', 'REVERTED'), revoke('r2', 'CONFIRMED')], 'revoked'],
  ] as const)('%j is %s', (moves, status) => {
    expect(certificateStatus('tx_issue', moves)).toBe(status);
  });

  it('reads only its own issue, not an earlier failed attempt at the same hash', () => {
    expect(certificateStatus('tx_issue', [{ id: 'tx_old', type: 'certificate_issue', status: 'FAILED' }, issue('CONFIRMED')])).toBe('issued');
    expect(certificateStatus('tx_old', [{ id: 'tx_old', type: 'certificate_issue', status: 'FAILED' }, issue('CONFIRMED')])).toBe('failed');
  });
});
