// The public view of a certificate (GET /certificates/{id}, GET /users/{id}/certificates): its fields as
// stored, its status from its operations, and its validity from the chain, so a certificate revoked by
// any path (not only through Chronos) reads invalid.
import { getAddress, zeroAddress, type Address, type Hex } from 'viem';
import type { ChainPublicClient } from '../chain/clients.js';
import { chronosCertificateAbi } from '../chain/contracts/abi.js';
import type { CertificateOperation } from '../db/certificates.js';
import type { Certificate } from '../db/schema.js';
import type { CertificateStatus } from '../operations/certificate/status.js';

export type OnChainCertificate = { valid: boolean; tokenId: bigint; recipient: Address | null; dataHash: Hex | null };

/** What the contract holds for a hash: whether it is valid, its holder and its data hash (null: never issued there). */
export async function readCertificate(publicClient: ChainPublicClient, contract: Address, verificationHash: Hex): Promise<OnChainCertificate> {
  const [valid, tokenId, recipient] = await publicClient.readContract({
    address: contract,
    abi: chronosCertificateAbi,
    functionName: 'verify',
    args: [verificationHash],
  });
  if (recipient === zeroAddress) return { valid, tokenId, recipient: null, dataHash: null };
  const dataHash = await publicClient.readContract({ address: contract, abi: chronosCertificateAbi, functionName: 'dataHashOf', args: [tokenId] });
  return { valid, tokenId, recipient: getAddress(recipient), dataHash };
}

export function toCertificateView(certificate: Certificate, status: CertificateStatus, moves: readonly CertificateOperation[], onChain: OnChainCertificate) {
  const issue = moves.find((m) => m.id === certificate.issue_transaction_id);
  const issued = status === 'issued' || status === 'revoking' || status === 'revoked';
  const revocation = status === 'revoked' ? moves.find((m) => m.type === 'certificate_revoke' && m.status === 'CONFIRMED') : undefined;
  return {
    certificateId: certificate.id,
    // Known from the hash at once, shown once the issue is CONFIRMED (as txHash is).
    tokenId: issued ? BigInt(certificate.verification_hash).toString() : null,
    recipient: getAddress(certificate.recipient),
    userId: certificate.user_id,
    recipientName: certificate.recipient_name,
    courseTitle: certificate.course_title,
    courseId: certificate.course_id,
    instructorName: certificate.instructor_name,
    verificationHash: certificate.verification_hash,
    dataHash: certificate.data_hash,
    contract: getAddress(certificate.contract_address),
    status,
    transactionId: certificate.issue_transaction_id,
    txHash: issued ? (issue?.tx_hash ?? null) : null,
    issuedAt: issued && issue ? new Date(issue.updated_at).toISOString() : null,
    revocation: revocation
      ? {
          reason: String((revocation.params as { reason?: unknown }).reason ?? ''),
          txHash: revocation.tx_hash,
          revokedAt: new Date(revocation.updated_at).toISOString(),
        }
      : null,
    // The chain's word, for this certificate: valid, held by its recipient, with its data hash.
    isValid:
      issued
      && onChain.valid
      && onChain.recipient === getAddress(certificate.recipient)
      && onChain.dataHash?.toLowerCase() === certificate.data_hash.toLowerCase(),
    createdAt: new Date(certificate.created_at).toISOString(),
  };
}
