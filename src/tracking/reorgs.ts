// Reorg detection (README, Confirmations and reorgs). The tracker keeps the hash of the block its
// cursor stands on, and every recorded inclusion keeps its block's hash. Each poll compares the cursor
// block with the chain; when it differs, the newest recorded block that still matches is the common
// ancestor (a block's hash fixes every block below it), and everything recorded above it is gone.
import type { Hex } from 'viem';
import type { Db } from '../db/connect.js';
import type { CursorPosition } from '../db/chain-cursors.js';
import { inclusionBlocksAbove } from '../db/inclusions.js';

/** The newest block as the chain reports it. */
export type ChainHead = { number: bigint; hash: Hex; parentHash: Hex };

/** How far below the cursor a reorg is looked for; with no recorded block to compare in it, the cursor rewinds this far. */
export const REORG_SEARCH_DEPTH = 128n;
/** Recorded inclusion blocks compared with the chain at most, newest first. */
const MAX_COMPARED_BLOCKS = 64;

/** `verified`: the ancestor is a recorded block still on the chain (else only a bound: nothing recorded below the cursor matched). */
export type ReorgFinding = { ancestor: bigint; verified: boolean };

/**
 * Undefined while the cursor's block is still on the chain; else the block to rewind the cursor to.
 * `canonicalHash(n)`: the chain's hash at height n now (undefined above the head).
 */
export async function findReorg(
  db: Db,
  { cursor, head, canonicalHash }: { cursor: CursorPosition; head: ChainHead; canonicalHash: (block: bigint) => Promise<string | undefined> },
): Promise<ReorgFinding | undefined> {
  // A cursor saved before hashes were kept has nothing to compare with: it gets one on the next save.
  if (!cursor.hash) return undefined;
  const onChain =
    head.number === cursor.block
      ? head.hash
      : head.number === cursor.block + 1n
        ? head.parentHash
        : head.number > cursor.block
          ? await canonicalHash(cursor.block)
          : undefined;
  if (onChain?.toLowerCase() === cursor.hash) return undefined;
  const floor = cursor.block > REORG_SEARCH_DEPTH ? cursor.block - REORG_SEARCH_DEPTH : 0n;
  for (const recorded of await inclusionBlocksAbove(db, floor, MAX_COMPARED_BLOCKS)) {
    if (recorded.number > head.number) continue;
    if ((await canonicalHash(recorded.number))?.toLowerCase() === recorded.hash) return { ancestor: recorded.number, verified: true };
  }
  // No recorded block still matches: rewind as far as the search goes (re-reading logs is harmless).
  const ancestor = floor < head.number ? floor : head.number;
  return { ancestor, verified: false };
}
