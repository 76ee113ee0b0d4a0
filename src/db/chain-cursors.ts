// How far a log reader has read the chain: one named cursor per reader, kept in the database so that
// whichever process leads next resumes where the last one stopped. With it, the hash of the block it
// stands on, so that the next reader can tell that block was reorged away.
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** The inclusion tracker's cursor over the EntryPoint's logs. */
export const TRACKER_CURSOR = 'entrypoint-logs';

export type CursorPosition = { block: bigint; hash?: string };

/** The last block the cursor has read, if it was ever saved. */
export async function findCursorBlock(db: Db, name: string): Promise<bigint | undefined> {
  return (await findCursor(db, name))?.block;
}

/** The last block the cursor has read and its hash (unknown for a cursor saved before migration 0015). */
export async function findCursor(db: Db, name: string): Promise<CursorPosition | undefined> {
  const row = await db.selectFrom('chain_cursors').select(['block', 'block_hash']).where('name', '=', name).executeTakeFirst();
  return row ? { block: BigInt(row.block), hash: row.block_hash ?? undefined } : undefined;
}

export async function saveCursorBlock(db: Db, { name, block, hash }: { name: string; block: bigint; hash?: string }): Promise<void> {
  const block_hash = hash?.toLowerCase() ?? null;
  await db
    .insertInto('chain_cursors')
    .values({ name, block, block_hash })
    .onConflict((oc) => oc.column('name').doUpdateSet({ block, block_hash, updated_at: sql`now()` }))
    .execute();
}
