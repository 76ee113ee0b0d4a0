// GET /users/{id}/certificates: the certificates the client issued for one of its users (the X-User-Id
// of each issue), newest first, a page at a time; issues that ended unexecuted are left out. Validity
// is read from the chain for each.
import { getAddress, type Hex } from 'viem';
import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { authOf, isUserIdShape } from '../request-context.js';
import { listUserCertificates as listPage } from '../../db/certificates.js';
import { CERTIFICATE_ID, certificateWithStatus } from '../../operations/certificate/certificate-of-request.js';
import { readCertificate, toCertificateView } from '../../certificates/certificate-view.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export const listUserCertificates: Route = {
  operationId: 'listUserCertificates',
  scope: 'certificates',
  handler: (ctx) => async (req, res) => {
    const clientId = authOf(req).client.id;
    const userId = String(req.params.id);
    // As X-User-Id is checked: no user can have another id (a NUL byte would not even reach Postgres).
    if (!isUserIdShape(userId)) throw apiErrors.validation('the user id must be 1-256 printable ASCII characters, as X-User-Id');
    const limit = req.query.limit === undefined ? DEFAULT_LIMIT : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw apiErrors.validation(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
    // The cursor is the last certificate's id: ids are ULIDs, in creation order.
    const after = req.query.cursor === undefined ? undefined : String(req.query.cursor);
    if (after !== undefined && !CERTIFICATE_ID.test(after))
      throw apiErrors.validation('cursor is malformed: pass the cursor value of a previous response unchanged');
    const rows = await listPage(ctx.db, { clientId, userId, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const certificates = await Promise.all(
      page.map(async (row) => {
        const { certificate, status, moves } = await certificateWithStatus(ctx.db, row);
        const onChain = await readCertificate(ctx.publicClient, getAddress(certificate.contract_address), certificate.verification_hash as Hex);
        return toCertificateView(certificate, status, moves, onChain);
      }),
    );
    const hasMore = rows.length > limit;
    res.setHeader('Cache-Control', 'no-store');
    res.json({ userId, certificates, cursor: hasMore ? page[page.length - 1].id : null, hasMore });
  },
};
