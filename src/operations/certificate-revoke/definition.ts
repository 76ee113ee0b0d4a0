// Revoking a certificate: ChronosCertificate.revoke on the contract it was issued on, authorized by
// the client's issuer key (the contract accepts only the signer that issued it) and submitted by the
// X-User-Id user's smart account, any user of the client's. Only an issued certificate can be revoked,
// once (the transactions_certificate_revoked_once index): a second answers 409
// CERTIFICATE_ALREADY_REVOKED; one that FAILED or REVERTED leaves it issued, to try again.
import { encodeFunctionData, getAddress, type Address, type Hex } from 'viem';
import { apiErrors } from '../../app-error.js';
import { chronosCertificateAbi } from '../../chain/contracts/abi.js';
import { field, isHex, isHexAddress, isString, isWeiString, type OperationDefinition } from '../types.js';
import { certificateWithStatus, findCertificateOf, issuerOf } from '../certificate/certificate-of-request.js';
import { revokeMessageHash } from '../certificate/message-hash.js';
import { certificateEventData } from '../certificate/events.js';
import { CERTIFICATE_REVOKE_TYPE } from './type.js';

export type CertificateRevokeParams = {
  certificateId: string;
  contract: Address;
  verificationHash: Hex;
  tokenId: string;
  reason: string;
  signature: Hex;
};

export const certificateRevoke: OperationDefinition<CertificateRevokeParams, typeof CERTIFICATE_REVOKE_TYPE, 'certificates'> = {
  type: CERTIFICATE_REVOKE_TYPE,
  scope: 'certificates',
  // About twice the ~141k gas a revocation uses on the test stack once the account exists (a longer
  // reason costs more calldata: the reason is at most 500 characters).
  gasCeiling: 300_000n,
  operationId: 'revokeCertificate',
  input: (req) => ({ ...(req.body as object), certificateId: String(req.params.id) }),
  pathId: 'certificateId',

  async accept(ctx, input, { client, walletAddress }) {
    const { certificateId: id, reason } = input as { certificateId: string; reason: string };
    const found = await findCertificateOf(ctx.db, client.id, id);
    if (!found) throw apiErrors.certificateNotFound(id);
    const { certificate, status } = await certificateWithStatus(ctx.db, found);
    if (status === 'revoking' || status === 'revoked') throw apiErrors.certificateAlreadyRevoked();
    if (status !== 'issued') throw apiErrors.certificateNotIssued(status);
    const contract = getAddress(certificate.contract_address);
    const tokenId = BigInt(certificate.verification_hash);
    // Revoked on-chain already, by any path: the contract would revert.
    if (await ctx.publicClient.readContract({ address: contract, abi: chronosCertificateAbi, functionName: 'revoked', args: [tokenId] }))
      throw apiErrors.certificateAlreadyRevoked();
    const hash = revokeMessageHash({ contract, chainId: ctx.config.chain.chainId, sender: walletAddress, tokenId, reason });
    const signature = await issuerOf(ctx.config, client.id).signMessage({ message: { raw: hash } });
    return {
      params: {
        certificateId: certificate.id,
        contract,
        verificationHash: certificate.verification_hash as Hex,
        tokenId: tokenId.toString(),
        reason,
        signature,
      },
      uniqueKey: { column: 'certificate_hash', value: certificate.verification_hash as Hex },
    };
  },
  uniqueConflict: apiErrors.certificateAlreadyRevoked,

  parseParams: (value) => ({
    certificateId: field(value, 'certificateId', isString),
    contract: field(value, 'contract', isHexAddress),
    verificationHash: field(value, 'verificationHash', isHex),
    tokenId: field(value, 'tokenId', isWeiString),
    reason: field(value, 'reason', isString),
    signature: field(value, 'signature', isHex),
  }),
  buildCalls: (_contracts, p) => [
    { to: p.contract, data: encodeFunctionData({ abi: chronosCertificateAbi, functionName: 'revoke', args: [BigInt(p.tokenId), p.reason, p.signature] }) },
  ],
  webhookData: (p) => ({ certificateId: p.certificateId, tokenId: p.tokenId }),
  events: (p, transaction) =>
    transaction.status === 'CONFIRMED' ? [{ event: 'certificate.revoked', data: { ...certificateEventData(p, transaction), reason: p.reason } }] : [],
};
