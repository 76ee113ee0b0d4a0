import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Kysely } from 'kysely';
import type { Client, ClientUpdate, Database, NewClient } from './schema.js';

export async function insertClient(db: Db, client: NewClient): Promise<Client> {
  return db.insertInto('clients').values(client).returningAll().executeTakeFirstOrThrow();
}

export async function findClient(db: Db, id: string): Promise<Client | undefined> {
  return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listClients(db: Db): Promise<Client[]> {
  return db.selectFrom('clients').selectAll().orderBy('created_at').execute();
}

/** Updates a client and returns the new row, or undefined when it does not exist. */
/**
 * `endEarlierTokens` sets `tokens_not_before` to the database's clock, not the caller's: the admin CLI
 * may run on a host whose clock is off, and one clock for every cut-off is easier to reason about.
 */
export async function updateClient(db: Db, id: string, changes: ClientUpdate, { endEarlierTokens = false } = {}): Promise<Client | undefined> {
  return db
    .updateTable('clients')
    .set({ ...changes, updated_at: sql`now()`, ...(endEarlierTokens && { tokens_not_before: sql`now()` }) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Flags the client's webhook disabled (its receiver answered 410 Gone), unless its URL changed since
 * the attempt (a late 410 from an old receiver must not disable the new one) or it is already flagged
 * (the first 410 says when it started). True when this call flagged it.
 */
export async function disableClientWebhook(
  db: Kysely<Database>,
  { clientId, url, reason }: { clientId: string; url: string; reason: string },
): Promise<boolean> {
  const flagged = await db
    .updateTable('clients')
    .set({ webhook_disabled_at: sql`clock_timestamp()`, webhook_disabled_reason: reason, updated_at: sql`now()` })
    .where('id', '=', clientId)
    .where('webhook_url', '=', url)
    .where('webhook_disabled_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return flagged !== undefined;
}
