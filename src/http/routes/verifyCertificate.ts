// GET /certificates/verify/{hash}: whether the client's ChronosCertificate holds a valid certificate of
// this verificationHash, answered from the chain (a certificate revoked by any path reads invalid); a
// hash never issued there is `valid: false`, not a 404, so a verifier needs no second case.
import type { Hex } from 'viem';
import type { Route } from '../route.js';
import { authOf } from '../request-context.js';
import { certificateContractOf } from '../../operations/certificate/certificate-of-request.js';
import { findCertificateByHash } from '../../db/certificates.js';
import { readCertificate } from '../../certificates/certificate-view.js';

export const verifyCertificate: Route = {
  operationId: 'verifyCertificate',
  scope: 'certificates',
  handler: (ctx) => async (req, res) => {
    const client = authOf(req).client;
    const contract = certificateContractOf(client);
    // The path's pattern (openapi.json) admits 32-byte hex only.
    const verificationHash = String(req.params.hash).toLowerCase() as Hex;
    const [onChain, stored] = await Promise.all([
      readCertificate(ctx.publicClient, contract, verificationHash),
      findCertificateByHash(ctx.db, { clientId: client.id, verificationHash }),
    ]);
    const issued = onChain.recipient !== null;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      valid: onChain.valid,
      tokenId: issued ? onChain.tokenId.toString() : null,
      recipient: onChain.recipient,
      // The stored fields, when Chronos issued it: a verifier compares their hash with dataHash.
      courseTitle: issued && stored ? stored.course_title : null,
      certificateId: issued && stored ? stored.id : null,
      dataHash: onChain.dataHash,
      contract,
    });
  },
};
