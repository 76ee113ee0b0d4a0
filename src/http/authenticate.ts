// The OpenAPI validator's BearerAuth handler: a valid token of a live client, with the scopes it still has.
import type { Request } from 'express';
import type { ClientCache } from '../auth/client-cache.js';
import { verifyAccessToken, type JwtConfig } from '../auth/access-tokens.js';
import { toAppError, unauthorized, type AppError, type RequestWithAuthError } from './errors.js';

export function bearerAuthHandler({ jwt, clients }: { jwt: JwtConfig; clients: ClientCache }) {
  return async (req: Request): Promise<boolean> => {
    const fail = (error: AppError): never => {
      (req as RequestWithAuthError).authError = error;
      throw error;
    };
    const header = req.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.?[A-Za-z0-9\-_.+/=]*)$/.exec(header);
    if (!match) return fail(unauthorized('Authorization header with a Bearer token is required'));
    const claims = verifyAccessToken(jwt, match[1]);
    if (!claims) return fail(unauthorized('Access token is invalid or expired'));
    const client = await clients.get(claims.clientId).catch((error: unknown) => fail(toAppError(error, req)));
    if (!client || client.revoked_at) return fail(unauthorized('Access token is invalid or expired'));
    // Scopes removed from the client since the token was issued stop working too.
    const scopes = claims.scopes.filter((s) => client.scopes.includes(s));
    req.auth = { client, scopes, tokenId: claims.tokenId };
    return true;
  };
}
