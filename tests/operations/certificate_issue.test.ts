// The certificate_issue definition on its own: one issue call on the certificate contract recorded in
// its params, the refusals it answers before reading the database or the chain, and the
// certificate.minted event it adds once CONFIRMED.
import { decodeFunctionData, getAddress, keccak256, toHex, zeroAddress, zeroHash } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { chronosCertificateAbi } from '../../src/chain/contracts/abi.js';
import type { Transaction } from '../../src/db/schema.js';
import { clientWith, deployment, paymentContracts, payerRequester, refusalIn } from './payments-support.js';

const { certificate_issue: certificateIssue } = operations;
const contract = getAddress('0xc00000000000000000000000000000000000000c');
const to = getAddress('0x9000000000000000000000000000000000000009');
const verificationHash = keccak256(toHex('a certificate'));
const params = {
  certificateId: 'cert_01jabcdefghjkmnpqrstvwxyz0',
  contract,
  to,
  verificationHash,
  dataHash: zeroHash,
  signature: `0x${'ab'.repeat(65)}`,
} as const;
const fields = { recipientName: 'John Doe', courseTitle: 'Web3 Development', courseId: 'course-123', instructorName: 'Jane Smith' };
const enabled = payerRequester(clientWith({ certificate_address: contract }));

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(certificateIssue.parseParams(JSON.parse(JSON.stringify(params)))).toEqual(params);
  });

  it('refuses a shape that is not one', () => {
    expect(() => certificateIssue.parseParams({ ...params, contract: 'nowhere' })).toThrow(InvalidParamsError);
    expect(() => certificateIssue.parseParams({ ...params, signature: undefined })).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it("is one issue call on the contract the params name, not the deployment's", () => {
    const calls = certificateIssue.buildCalls(paymentContracts, params);
    expect(calls).toEqual([{ to: contract, data: expect.any(String) }]);
    expect(decodeFunctionData({ abi: chronosCertificateAbi, data: calls[0].data })).toEqual({
      functionName: 'issue',
      args: [to, verificationHash, zeroHash, params.signature],
    });
  });
});

describe('accept', () => {
  it('refuses a client without its own ChronosCertificate (409), reading nothing', async () => {
    expect(
      await refusalIn(deployment(), certificateIssue, { ...fields, verificationHash }, payerRequester(clientWith({ certificate_address: null }))),
    ).toMatchObject({
      status: 409,
      code: 'CERTIFICATES_NOT_ENABLED',
    });
  });

  it.each([
    [{ ...fields, verificationHash: zeroHash }, 'verificationHash must not be zero'],
    [{ ...fields, verificationHash, recipient: zeroAddress }, 'recipient must be a non-zero 0x-prefixed 20-byte address'],
    [{ ...fields, verificationHash, recipient: '0x1234' }, 'recipient must be a non-zero 0x-prefixed 20-byte address'],
  ])('refuses %j before reading the chain: %s', async (input, message) => {
    expect(await refusalIn(deployment(), certificateIssue, input, enabled)).toEqual({ status: 400, code: 'VALIDATION_ERROR', message });
  });
});

describe('events', () => {
  const transaction = (status: Transaction['status']) => ({ id: 'tx_1', user_id: 'learner', tx_hash: '0xfeed', status }) as Transaction;

  it('adds certificate.minted once CONFIRMED, with the token id and the recipient', () => {
    expect(certificateIssue.events!(params, transaction('CONFIRMED'))).toEqual([
      {
        event: 'certificate.minted',
        data: {
          certificateId: params.certificateId,
          tokenId: BigInt(verificationHash).toString(),
          verificationHash,
          contract,
          transactionId: 'tx_1',
          userId: 'learner',
          txHash: '0xfeed',
          recipient: to,
          dataHash: zeroHash,
        },
      },
    ]);
  });

  it.each(['FAILED', 'REVERTED', 'EXPIRED'] as const)('adds nothing when %s', (status) => {
    expect(certificateIssue.events!(params, transaction(status))).toEqual([]);
  });

  it('names the certificate in its transaction.* events', () => {
    expect(certificateIssue.webhookData!(params, transaction('CONFIRMED'))).toEqual({
      certificateId: params.certificateId,
      tokenId: BigInt(verificationHash).toString(),
    });
  });
});
