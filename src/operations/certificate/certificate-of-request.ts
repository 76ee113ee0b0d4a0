// What the certificate operations and reads share: the client's own ChronosCertificate, the issuer
// key that signs for it, and the certificate a path names, as its client sees it. Another client's
// certificate is the same 404 as none: a client cannot learn that someone else's exists.
import { getAddress, type Address } from 'viem';
import { apiErrors } from '../../app-error.js';
import { certificateIssuer } from '../../accounts/certificate-issuer.js';
import { certificateOperations, findCertificate, findCertificateByHash } from '../../db/certificates.js';
import type { Db } from '../../db/connect.js';
import type { Certificate, Client } from '../../db/schema.js';
import type { OperationsConfig } from '../types.js';
import { certificateStatus, type CertificateStatus } from './status.js';

export const CERTIFICATE_ID = /^cert_[0-9a-z]{26}$/;
const TOKEN_ID = /^(0|[1-9]\d{0,77})$/;
const MAX_UINT256 = 2n ** 256n - 1n;

/** The client's ChronosCertificate; a client without one answers 409 CERTIFICATES_NOT_ENABLED. */
export function certificateContractOf(client: Pick<Client, 'certificate_address'>): Address {
  if (!client.certificate_address) throw apiErrors.certificatesNotEnabled();
  return getAddress(client.certificate_address);
}

export const issuerOf = (config: Pick<OperationsConfig, 'masterKey'>, clientId: string) => certificateIssuer(config.masterKey, clientId);

/** A token id is uint256(verificationHash): the hash it names, lower-case. */
export const hashOfTokenId = (tokenId: bigint) => `0x${tokenId.toString(16).padStart(64, '0')}`;

/**
 * The certificate `id` names: its `cert_…` id, or its token id (decimal); undefined when the client
 * has none such (or the id cannot be one, answered without a query).
 */
export async function findCertificateOf(db: Db, clientId: string, id: string): Promise<Certificate | undefined> {
  if (CERTIFICATE_ID.test(id)) return findCertificate(db, { clientId, id });
  if (TOKEN_ID.test(id) && BigInt(id) <= MAX_UINT256 && BigInt(id) > 0n)
    return findCertificateByHash(db, { clientId, verificationHash: hashOfTokenId(BigInt(id)) });
  return undefined;
}

export async function certificateWithStatus(db: Db, certificate: Certificate) {
  const moves = await certificateOperations(db, { clientId: certificate.client_id, verificationHash: certificate.verification_hash });
  const status: CertificateStatus = certificateStatus(certificate.issue_transaction_id, moves);
  return { certificate, moves, status };
}
