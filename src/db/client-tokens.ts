// The client's tokens (migration 0020): the ones `chronos tokens add` let its operations move, and
// the per-operation amount limits `chronos tokens set-limits` put on any of its tokens.
import type { Db } from './connect.js';
import type { ClientToken } from './schema.js';

export async function listClientTokenRows(db: Db, clientId: string): Promise<ClientToken[]> {
  return db.selectFrom('client_tokens').selectAll().where('client_id', '=', clientId).orderBy('added_at').orderBy('token_address').execute();
}

/** Adds the token (or keeps the row there is: adding twice changes nothing); returns the row. */
export async function addClientTokenRow(
  db: Db,
  row: { clientId: string; tokenAddress: string; symbol: string; name: string; decimals: number },
): Promise<ClientToken> {
  await db
    .insertInto('client_tokens')
    .values({ client_id: row.clientId, token_address: row.tokenAddress.toLowerCase(), symbol: row.symbol, name: row.name, decimals: row.decimals })
    .onConflict((oc) => oc.columns(['client_id', 'token_address']).doNothing())
    .execute();
  return db
    .selectFrom('client_tokens')
    .selectAll()
    .where('client_id', '=', row.clientId)
    .where('token_address', '=', row.tokenAddress.toLowerCase())
    .executeTakeFirstOrThrow();
}

export async function setClientTokenLimits(
  db: Db,
  { clientId, tokenAddress, minWei, maxWei }: { clientId: string; tokenAddress: string; minWei: bigint | null; maxWei: bigint | null },
): Promise<ClientToken | undefined> {
  return db
    .updateTable('client_tokens')
    .set({ min_amount_wei: minWei, max_amount_wei: maxWei })
    .where('client_id', '=', clientId)
    .where('token_address', '=', tokenAddress.toLowerCase())
    .returningAll()
    .executeTakeFirst();
}
