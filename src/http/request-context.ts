// What authentication attaches to a request, and typed accessors for route handlers.
import type { Request } from 'express';
import type { Client } from '../db/schema.js';
import type { Scope } from '../auth/scopes.js';
import { apiErrors } from '../app-error.js';

export type RequestAuth = { client: Client; scopes: Scope[]; tokenId: string };

declare module 'express-serve-static-core' {
  interface Request {
    auth?: RequestAuth;
  }
}

export function authOf(req: Request): RequestAuth {
  if (!req.auth) throw apiErrors.internal('route reached without authentication');
  return req.auth;
}

/** 1–256 printable ASCII characters, no surrounding spaces (README, API). */
const USER_ID = /^[\x21-\x7e](?:[\x20-\x7e]{0,254}[\x21-\x7e])?$/;

/** Whether `value` can be a user id at all (a path's user id is checked with it before any query). */
export const isUserIdShape = (value: string) => USER_ID.test(value);

export function userIdOf(req: Request): string {
  const raw = req.headers['x-user-id'];
  if (raw === undefined || raw === '') throw apiErrors.validation('header X-User-Id is required');
  // Node joins a repeated X-User-Id into one "a, b" string, itself a valid id: count the raw headers.
  if (Array.isArray(raw) || typeof raw !== 'string' || (req.headersDistinct['x-user-id']?.length ?? 0) > 1)
    throw apiErrors.validation('header X-User-Id must be given once');
  if (raw.length > 256) throw apiErrors.validation('header X-User-Id must be at most 256 characters');
  if (!USER_ID.test(raw)) throw apiErrors.validation('header X-User-Id must be 1-256 printable ASCII characters');
  return raw;
}
