// X-Idempotency-Key (README, API): per client, the same key with the same request replays the first
// answer; with a different request it is a 409. The unique key in the database decides, not a read.
import { createHash } from 'node:crypto';
import type { Transaction as DbTransaction } from 'kysely';
import type { Db } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { deleteIdempotencyKeys, findIdempotencyKey, insertIdempotencyKeys } from '../db/idempotency-keys.js';
import { apiErrors } from '../app-error.js';

export type IdempotencyKey = { key: string; requestHash: string };
export type AcceptedResponse = { status: number; body: Record<string, unknown>; replayed: boolean };

const KEY = /^[\x21-\x7e]{1,255}$/;

export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header) || !KEY.test(header)) {
    throw apiErrors.validation('header X-Idempotency-Key must be 1-255 printable ASCII characters without spaces');
  }
  return header;
}

/** A stable fingerprint of what was asked: operation, user and body (key order ignored). */
export function requestFingerprint(parts: { operationId: string; userId: string; body: unknown }): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The stored answer for this key, or undefined; a 409 when the key was used for another request. */
export async function replayIfKnown(db: Db, { clientId, key, requestHash }: { clientId: string } & IdempotencyKey): Promise<AcceptedResponse | undefined> {
  const row = await findIdempotencyKey(db, { clientId, key });
  if (!row) return undefined;
  if (row.request_hash !== requestHash) throw apiErrors.idempotencyConflict();
  return { status: row.response_status, body: row.response_body, replayed: true };
}

export type KeyClaim = IdempotencyKey & { clientId: string; transactionId: string };

/**
 * Claims the keys for these new transactions, first thing in the accept transaction: returns the
 * claims written. A key already stored (by an earlier request) is skipped: that request is a replay.
 */
export async function claimIdempotencyKeys(trx: DbTransaction<Database>, claims: readonly KeyClaim[]): Promise<Set<KeyClaim>> {
  const written = await insertIdempotencyKeys(
    trx,
    claims.map((c) => ({ ...c, responseStatus: 202, responseBody: acceptedBody(c.transactionId) })),
  );
  const claimed = new Set(written.map((k) => `${k.clientId}\n${k.key}`));
  return new Set(claims.filter((c) => claimed.has(`${c.clientId}\n${c.key}`)));
}

/** Gives back the keys of requests refused after claiming them, so a corrected retry can use them. */
export async function releaseIdempotencyKeys(trx: DbTransaction<Database>, claims: readonly KeyClaim[]): Promise<void> {
  await deleteIdempotencyKeys(trx, claims);
}

export function acceptedBody(transactionId: string) {
  return { transactionId, status: 'ACCEPTED' };
}
