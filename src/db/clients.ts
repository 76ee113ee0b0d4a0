import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Client, ClientUpdate, NewClient } from './schema.js';

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
