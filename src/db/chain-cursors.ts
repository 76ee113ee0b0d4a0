// How far a log reader has read the chain: one named cursor per reader, kept in the database so that
// whichever process leads next resumes where the last one stopped.
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** The inclusion tracker's cursor over the EntryPoint's logs. */
export const TRACKER_CURSOR = 'entrypoint-logs';

/** The last block the cursor has read, if it was ever saved. */
export async function findCursorBlock(db: Db, name: string): Promise<bigint | undefined> {
  const row = await db.selectFrom('chain_cursors').select('block').where('name', '=', name).executeTakeFirst();
  return row ? BigInt(row.block) : undefined;
}

export async function saveCursorBlock(db: Db, { name, block }: { name: string; block: bigint }): Promise<void> {
  await db
    .insertInto('chain_cursors')
    .values({ name, block })
    .onConflict((oc) => oc.column('name').doUpdateSet({ block, updated_at: sql`now()` }))
    .execute();
}
