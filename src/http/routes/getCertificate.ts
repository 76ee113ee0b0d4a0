// GET /certificates/{id}: one of the client's certificates, by its cert_… id or its token id, with its
// validity read from the chain.
import { getAddress, type Hex } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { certificateWithStatus, findCertificateOf } from '../../operations/certificate/certificate-of-request.js';
import { readCertificate, toCertificateView } from '../../certificates/certificate-view.js';

export const getCertificate: Route = {
  operationId: 'getCertificate',
  scope: 'certificates',
  handler: (ctx) => async (req, res) => {
    const clientId = authOf(req).client.id;
    const id = String(req.params.id);
    // Another client's certificate is indistinguishable from a missing one.
    const found = await findCertificateOf(ctx.db, clientId, id);
    if (!found) throw apiErrors.certificateNotFound(id);
    const { certificate, status, moves } = await certificateWithStatus(ctx.db, found);
    const onChain = await readCertificate(ctx.publicClient, getAddress(certificate.contract_address), certificate.verification_hash as Hex);
    res.setHeader('Cache-Control', 'no-store');
    res.json(toCertificateView(certificate, status, moves, onChain));
  },
};
