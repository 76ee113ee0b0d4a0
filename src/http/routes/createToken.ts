import type { Route } from '../route.js';
import { apiErrors } from '../../app-error.js';
import { findClient } from '../../db/clients.js';
import { isClientIdShape, UNMATCHABLE_HASH, verifySecret } from '../../auth/secrets.js';
import { issueAccessToken } from '../../auth/access-tokens.js';
import type { Scope } from '../../auth/scopes.js';
import { forgiveTokenRequest } from '../token-request-limits.js';

const MAX_CREDENTIAL_LENGTH = 512;

export const createToken: Route = {
  operationId: 'createToken',
  // The spec answers a missing or non-string credential with MISSING_CREDENTIALS, not VALIDATION_ERROR.
  precheck: (req, _res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const missing = ['clientId', 'clientSecret'].filter((k) => typeof body[k] !== 'string' || (body[k] as string).length === 0);
    if (missing.length) return next(apiErrors.missingCredentials(missing));
    if ((body.clientId as string).length > MAX_CREDENTIAL_LENGTH || (body.clientSecret as string).length > MAX_CREDENTIAL_LENGTH) {
      return next(apiErrors.invalidSecret());
    }
    next();
  },
  handler:
    ({ db, config }) =>
    async (req, res) => {
      const { clientId, clientSecret } = req.body as { clientId: string; clientSecret: string };
      // No client can have such an id, and the format is public: no lookup, no scrypt, same answer.
      if (!isClientIdShape(clientId)) throw apiErrors.invalidSecret();
      const client = await findClient(db, clientId);
      const live = client && !client.revoked_at ? client : undefined;
      // Unknown, revoked and wrong-secret all cost one scrypt and get the same answer.
      const matches = await verifySecret(clientSecret, live?.secret_hash ?? UNMATCHABLE_HASH);
      if (!live || !matches) throw apiErrors.invalidSecret();
      await forgiveTokenRequest(res);
      res.json(issueAccessToken(config.jwt, { clientId: live.id, scopes: live.scopes as Scope[] }));
    },
};
