// POST /certificates: accepts a certificate_issue operation (src/operations/certificate-issue/) and
// answers, beside the transaction, the certificate it records; tokenId and txHash appear on GET
// /certificates/{certificateId} once it is CONFIRMED.
import type { Route } from '../route.js';
import { authOf } from '../request-context.js';
import { acceptOperation, answerAccepted } from '../operation-route.js';
import { operations } from '../../operations/index.js';
import { findCertificateByIssue } from '../../db/certificates.js';

const { certificate_issue: certificateIssue } = operations;

export const issueCertificate: Route = {
  operationId: certificateIssue.operationId,
  scope: certificateIssue.scope,
  handler: (ctx) => async (req, res) => {
    const accepted = await acceptOperation(ctx, certificateIssue, req);
    const transactionId = String(accepted.body.transactionId);
    // Read back rather than kept from the accept: a replayed request answers with the certificate it recorded then.
    const certificate = await findCertificateByIssue(ctx.db, { clientId: authOf(req).client.id, transactionId });
    answerAccepted(res, accepted, { ...accepted.body, certificateId: certificate?.id, verificationHash: certificate?.verification_hash });
  },
};
