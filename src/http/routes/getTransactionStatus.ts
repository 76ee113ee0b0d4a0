import type { Route } from '../route.js';
import type { AppError } from '../errors.js';
import { apiErrors } from '../../app-error.js';
import { authOf } from '../request-context.js';
import { findTransaction, listTransitions } from '../../db/transactions.js';
import { isTransactionIdShape } from '../../transactions/ids.js';
import { isTerminal } from '../../status/machine.js';
import { toTransactionView } from '../transaction-view.js';

/** The spec shapes these two errors as `{ error: CODE, message }`; `code` is added for consistency. */
const shaped = (e: AppError) => e.withBody({ error: e.code, message: e.message });

export const getTransactionStatus: Route = {
  operationId: 'getTransactionStatus',
  // Its 400s and 404s keep the documented shape even when the validator or the router raised them.
  errorShape: (e) => ((e.status === 400 || e.status === 404) && !e.body ? shaped(e) : e),
  handler: (ctx) => async (req, res) => {
    const id = String(req.params.transactionId);
    if (!isTransactionIdShape(id)) throw shaped(apiErrors.invalidTransactionId());
    const tx = await findTransaction(ctx.db, id);
    // Another client's transaction is indistinguishable from a missing one.
    if (!tx || tx.client_id !== authOf(req).client.id) throw shaped(apiErrors.transactionNotFound(id));
    const history = await listTransitions(ctx.db, id);
    if (isTerminal(tx.status)) {
      // Public (the contract says so) yet only for this token: a shared cache must not answer another
      // Authorization with it, or one client would read another's transaction.
      res.setHeader('Cache-Control', 'public, max-age=300, immutable');
      res.vary('Authorization');
    } else {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Retry-After', tx.status === 'SUBMITTED' ? '3' : '1');
    }
    res.json(toTransactionView(tx, history));
  },
};
