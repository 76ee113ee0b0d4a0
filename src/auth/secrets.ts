// Client secrets are shown once and stored as scrypt hashes: slow to brute-force if the table leaks.
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;

function scrypt(secret: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(secret, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export function generateClientId(): string {
  return `client_${randomBytes(10).toString('hex')}`;
}

/** Whether `value` can be a client id at all (the shape generateClientId makes); checked before any lookup. */
export function isClientIdShape(value: unknown): value is string {
  return typeof value === 'string' && /^client_[0-9a-f]{20}$/.test(value);
}

export function generateClientSecret(): string {
  return `sk_${randomBytes(32).toString('base64url')}`;
}

/** Standard Webhooks secrets are `whsec_` + base64 of the raw key. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, PARAMS.keyLength, { N: PARAMS.N, r: PARAMS.r, p: PARAMS.p });
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, expected] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !expected) return false;
  const expectedKey = Buffer.from(expected, 'base64');
  const key = await scrypt(secret, Buffer.from(salt, 'base64'), expectedKey.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expectedKey);
}

/**
 * A hash no secret matches, verified when the client is unknown or revoked so that those answers
 * take as long as a wrong secret and reveal nothing.
 */
export const UNMATCHABLE_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;
