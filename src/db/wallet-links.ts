// Connected wallets (README, Connected wallets): the SIWE nonces Chronos issues and the links they
// prove. Addresses are passed and stored lower-case; callers checksum what they answer with.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, WalletLink, WalletLinkNonce } from './schema.js';

type Queryable = Db | DbTransaction<Database>;

export type UserRef = { clientId: string; userId: string };

/**
 * Records an issued message, then drops the user's oldest open (unused, unexpired) nonces beyond
 * `maxOpen`, and the user's nonces that expired a day ago or more (long past any replay they could
 * tell apart from an unknown nonce). Two concurrent issues may leave one or two more open for a
 * moment; the next issue trims them.
 */
export async function insertWalletLinkNonce(
  trx: DbTransaction<Database>,
  nonce: { nonce: string; clientId: string; userId: string; address: string; message: string; issuedAt: Date; expiresAt: Date },
  { maxOpen }: { maxOpen: number },
): Promise<void> {
  await trx
    .insertInto('wallet_link_nonces')
    .values({
      nonce: nonce.nonce,
      client_id: nonce.clientId,
      user_id: nonce.userId,
      address: nonce.address,
      message: nonce.message,
      issued_at: nonce.issuedAt,
      expires_at: nonce.expiresAt,
    })
    .execute();
  await sql`
    delete from wallet_link_nonces
    where client_id = ${nonce.clientId} and user_id = ${nonce.userId}
      and (
        expires_at < now() - interval '1 day'
        or nonce in (
          select nonce from wallet_link_nonces
          where client_id = ${nonce.clientId} and user_id = ${nonce.userId} and used_at is null and expires_at > now()
          order by issued_at desc, nonce desc
          offset ${maxOpen}
        )
      )`.execute(trx);
}

export async function findWalletLinkNonce(db: Queryable, nonce: string): Promise<WalletLinkNonce | undefined> {
  return db.selectFrom('wallet_link_nonces').selectAll().where('nonce', '=', nonce).executeTakeFirst();
}

/**
 * Uses the nonce: true for exactly one of any number of concurrent callers, and only while it is
 * unexpired. Runs in the transaction that records the link, so a refused link leaves it unused.
 */
export async function consumeWalletLinkNonce(trx: DbTransaction<Database>, { nonce }: { nonce: string }): Promise<boolean> {
  const used = await trx
    .updateTable('wallet_link_nonces')
    .set({ used_at: sql<Date>`now()` })
    .where('nonce', '=', nonce)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('nonce')
    .executeTakeFirst();
  return used !== undefined;
}

/**
 * Links the address to the user unless the client has it linked already; the primary key decides,
 * so of two users linking one address at once exactly one gets it. `isNew` is false when it was
 * linked before, to this user or (see `link.user_id`) to another.
 */
export async function insertWalletLink(
  trx: DbTransaction<Database>,
  { clientId, userId, address }: UserRef & { address: string },
): Promise<{ link: WalletLink; isNew: boolean }> {
  const inserted = await trx
    .insertInto('wallet_links')
    .values({ client_id: clientId, user_id: userId, address })
    .onConflict((oc) => oc.columns(['client_id', 'address']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { link: inserted, isNew: true };
  const existing = await trx.selectFrom('wallet_links').selectAll().where('client_id', '=', clientId).where('address', '=', address).executeTakeFirst();
  if (!existing) throw new Error(`wallet link of ${address} for ${clientId} vanished after a conflict`);
  return { link: existing, isNew: false };
}

/** Removes the user's link of the address; undefined when the user had none. */
export async function deleteWalletLink(
  trx: DbTransaction<Database>,
  { clientId, userId, address }: UserRef & { address: string },
): Promise<WalletLink | undefined> {
  return trx
    .deleteFrom('wallet_links')
    .where('client_id', '=', clientId)
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .returningAll()
    .executeTakeFirst();
}

/** The user's links, oldest first. */
export async function listWalletLinks(db: Queryable, { clientId, userId }: UserRef): Promise<WalletLink[]> {
  return db
    .selectFrom('wallet_links')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('user_id', '=', userId)
    .orderBy('linked_at')
    .orderBy('address')
    .execute();
}

export async function findWalletLink(db: Queryable, { clientId, userId, address }: UserRef & { address: string }): Promise<WalletLink | undefined> {
  return db
    .selectFrom('wallet_links')
    .selectAll()
    .where('client_id', '=', clientId)
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .executeTakeFirst();
}
