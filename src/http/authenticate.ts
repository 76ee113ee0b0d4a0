// The OpenAPI validator's BearerAuth handler: a valid token of a live client, with the scopes it still has.
import type { Request } from 'express';
import type { ClientCache } from '../auth/client-cache.js';
import type { Client } from '../db/schema.js';
import { verifyAccessToken, type AccessTokenClaims, type JwtConfig } from '../auth/access-tokens.js';
import { apiErrors } from '../app-error.js';
import { toAppError, type AppError, type RequestWithAuthError } from './errors.js';

/**
 * Longest Authorization header looked at. Chronos's tokens are ~350 characters; anything much longer
 * is refused before any parsing, so an unauthenticated caller cannot make a header cost more than this.
 */
export const MAX_AUTHORIZATION_LENGTH = 2048;

const SCHEME = 'Bearer ';
/** One JWT segment: base64url (padding tolerated). No nested quantifiers: linear on any input. */
const SEGMENT = /^[A-Za-z0-9_=-]*$/;

/**
 * The compact JWT in `Authorization: Bearer <header>.<payload>.<signature>`, or undefined. Parsed by
 * splitting on '.' and testing each part once, so the work is linear in the header's length (a
 * single regex over the whole token backtracked quadratically on long near-misses).
 */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (!header || header.length > MAX_AUTHORIZATION_LENGTH || !header.startsWith(SCHEME)) return undefined;
  const token = header.slice(SCHEME.length);
  const parts = token.split('.', 4);
  if (parts.length !== 3) return undefined;
  const [head, payload, signature] = parts;
  if (!head || !payload || !SEGMENT.test(head) || !SEGMENT.test(payload) || !SEGMENT.test(signature)) return undefined;
  return token;
}

/** A token issued before its client's secret was rotated (or before it was unrevoked) no longer counts. */
function issuedBeforeCutoff(claims: AccessTokenClaims, client: Client): boolean {
  if (!client.tokens_not_before) return false;
  // `iat` has whole seconds: a token from the very second of the rotation, a moment earlier, still passes.
  return claims.issuedAt < Math.floor(new Date(client.tokens_not_before).getTime() / 1000);
}

export function bearerAuthHandler({ jwt, clients }: { jwt: JwtConfig; clients: ClientCache }) {
  return async (req: Request): Promise<boolean> => {
    const fail = (error: AppError): never => {
      (req as RequestWithAuthError).authError = error;
      throw error;
    };
    const token = bearerTokenOf(req.headers.authorization);
    if (!token) return fail(apiErrors.unauthorized('Authorization header with a Bearer token is required'));
    const claims = verifyAccessToken(jwt, token);
    if (!claims) return fail(apiErrors.unauthorized('Access token is invalid or expired'));
    const client = await clients.get(claims.clientId).catch((error: unknown) => fail(toAppError(error, req)));
    if (!client || client.revoked_at || issuedBeforeCutoff(claims, client)) return fail(apiErrors.unauthorized('Access token is invalid or expired'));
    // Scopes removed from the client since the token was issued stop working too.
    const scopes = claims.scopes.filter((s) => client.scopes.includes(s));
    req.auth = { client, scopes, tokenId: claims.tokenId };
    return true;
  };
}
