// Issuing a certificate: ChronosCertificate.issue on the client's own contract, authorized by the
// client's issuer key (signed here, at accept) and submitted by the X-User-Id user's smart account.
// The certificate is minted to `recipient`, else to that account. Its descriptive fields are stored
// with the operation (the certificates row, in the accept's database transaction) and bound on-chain
// by their hash. A verificationHash is issued once per client (the transactions_certificate_issued_once
// index): a second answers 409 CERTIFICATE_ALREADY_ISSUED, whichever API process takes it.
import { encodeFunctionData, getAddress, isAddress, zeroAddress, zeroHash, type Address, type Hex } from 'viem';
import { monotonicFactory } from 'ulid';
import { apiErrors } from '../../app-error.js';
import { chronosCertificateAbi } from '../../chain/contracts/abi.js';
import { insertCertificate } from '../../db/certificates.js';
import { field, isHex, isHexAddress, isString, type OperationDefinition } from '../types.js';
import { certificateContractOf, issuerOf } from '../certificate/certificate-of-request.js';
import { certificateDataHash, issueMessageHash } from '../certificate/message-hash.js';
import { certificateEventData } from '../certificate/events.js';
import { CERTIFICATE_ISSUE_TYPE } from './type.js';

export type CertificateIssueParams = {
  certificateId: string;
  contract: Address;
  to: Address;
  verificationHash: Hex;
  dataHash: Hex;
  signature: Hex;
};

/** What POST /certificates takes (validated by openapi.json). */
type IssueRequest = {
  recipient?: string;
  recipientName: string;
  courseTitle: string;
  courseId: string;
  instructorName: string;
  verificationHash: string;
};

const ulid = monotonicFactory();
/** `cert_` + a lower-case ULID, as transaction ids are `tx_` + one: in creation order, which pages rely on. */
const newCertificateId = () => `cert_${ulid().toLowerCase()}`;

export const certificateIssue: OperationDefinition<CertificateIssueParams, typeof CERTIFICATE_ISSUE_TYPE, 'certificates'> = {
  type: CERTIFICATE_ISSUE_TYPE,
  scope: 'certificates',
  // About twice the ~190k gas an issue uses on the test stack once the account exists: a new token's
  // owner, balance, issuer and data hash slots are most of it.
  gasCeiling: 400_000n,
  operationId: 'issueCertificate',

  async accept(ctx, given, { client, userId, walletAddress }) {
    const body = given as IssueRequest;
    const contract = certificateContractOf(client);
    const verificationHash = body.verificationHash.toLowerCase() as Hex;
    if (verificationHash === zeroHash) throw apiErrors.validation('verificationHash must not be zero');
    let to = walletAddress;
    if (body.recipient !== undefined) {
      if (!isAddress(body.recipient, { strict: false }) || getAddress(body.recipient) === zeroAddress)
        throw apiErrors.validation('recipient must be a non-zero 0x-prefixed 20-byte address');
      to = getAddress(body.recipient);
    }
    // Issued on-chain already (by an earlier operation, or any other path): the contract would revert.
    const [, , holder] = await ctx.publicClient.readContract({
      address: contract,
      abi: chronosCertificateAbi,
      functionName: 'verify',
      args: [verificationHash],
    });
    if (holder !== zeroAddress) throw apiErrors.certificateAlreadyIssued();

    const fields = { recipientName: body.recipientName, courseTitle: body.courseTitle, courseId: body.courseId, instructorName: body.instructorName };
    const dataHash = certificateDataHash(fields);
    const hash = issueMessageHash({ contract, chainId: ctx.config.chain.chainId, sender: walletAddress, to, verificationHash, dataHash });
    const signature = await issuerOf(ctx.config, client.id).signMessage({ message: { raw: hash } });
    const certificateId = newCertificateId();
    return {
      params: { certificateId, contract, to, verificationHash, dataHash, signature },
      uniqueKey: { column: 'certificate_hash', value: verificationHash },
      alsoRecord: async (trx, transactionId) => {
        await insertCertificate(trx, {
          id: certificateId,
          client_id: client.id,
          user_id: userId,
          recipient: to,
          recipient_name: fields.recipientName,
          course_title: fields.courseTitle,
          course_id: fields.courseId,
          instructor_name: fields.instructorName,
          verification_hash: verificationHash,
          data_hash: dataHash,
          contract_address: contract,
          issue_transaction_id: transactionId,
        });
      },
    };
  },
  uniqueConflict: apiErrors.certificateAlreadyIssued,

  parseParams: (value) => ({
    certificateId: field(value, 'certificateId', isString),
    contract: field(value, 'contract', isHexAddress),
    to: field(value, 'to', isHexAddress),
    verificationHash: field(value, 'verificationHash', isHex),
    dataHash: field(value, 'dataHash', isHex),
    signature: field(value, 'signature', isHex),
  }),
  buildCalls: (_contracts, p) => [
    {
      to: p.contract,
      data: encodeFunctionData({ abi: chronosCertificateAbi, functionName: 'issue', args: [p.to, p.verificationHash, p.dataHash, p.signature] }),
    },
  ],
  webhookData: (p) => ({ certificateId: p.certificateId, tokenId: BigInt(p.verificationHash).toString() }),
  events: (p, transaction) =>
    transaction.status === 'CONFIRMED'
      ? [{ event: 'certificate.minted', data: { ...certificateEventData(p, transaction), recipient: p.to, dataHash: p.dataHash } }]
      : [],
};
