// The idempotency_keys table: one stored answer per (client, X-Idempotency-Key). The unique key
// decides which request owns a key (src/transactions/idempotency.ts), never a prior read.
import type { Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database } from './schema.js';

export type ClientKey = { clientId: string; key: string };

export type NewIdempotencyKey = ClientKey & { requestHash: string; transactionId: string; responseStatus: number; responseBody: Record<string, unknown> };

export async function findIdempotencyKey(db: Db, { clientId, key }: ClientKey) {
  return db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', clientId).where('key', '=', key).executeTakeFirst();
}

/** Inserts the keys not stored yet and returns those it wrote; a key already stored is left as it is. */
export async function insertIdempotencyKeys(trx: DbTransaction<Database>, keys: readonly NewIdempotencyKey[]): Promise<ClientKey[]> {
  if (keys.length === 0) return [];
  const written = await trx
    .insertInto('idempotency_keys')
    .values(
      keys.map((k) => ({
        client_id: k.clientId,
        key: k.key,
        request_hash: k.requestHash,
        transaction_id: k.transactionId,
        response_status: k.responseStatus,
        response_body: JSON.stringify(k.responseBody),
      })),
    )
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .returning(['client_id', 'key'])
    .execute();
  return written.map((row) => ({ clientId: row.client_id, key: row.key }));
}

export async function deleteIdempotencyKeys(trx: DbTransaction<Database>, keys: readonly ClientKey[]): Promise<void> {
  for (const k of keys) {
    await trx.deleteFrom('idempotency_keys').where('client_id', '=', k.clientId).where('key', '=', k.key).execute();
  }
}
