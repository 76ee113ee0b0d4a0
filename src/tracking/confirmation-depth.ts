// When an inclusion counts (README, Confirmations and reorgs): CONFIRMATIONS blocks on top of it at
// the head (0: at once), or once the RPC's `safe` / `finalized` block has reached it (CONFIRM_AT).
import type { AppContext } from '../context.js';

/** The highest block whose inclusions settle now; `head` saves a round trip when the caller has just read it. */
export async function settledHeight(ctx: Pick<AppContext, 'config' | 'publicClient'>, head?: bigint): Promise<bigint> {
  const { confirmations, confirmAt } = ctx.config.tracking;
  if (confirmAt === 'latest') return (head ?? (await ctx.publicClient.getBlockNumber({ cacheTime: 0 }))) - BigInt(confirmations);
  const block = await ctx.publicClient.getBlock({ blockTag: confirmAt });
  return block.number;
}

/** For the history: what an inclusion that is not deep enough yet waits for ("settles … after 2 confirmations"). */
export function awaitedDepth(ctx: Pick<AppContext, 'config'>): string {
  const { confirmations, confirmAt } = ctx.config.tracking;
  return confirmAt === 'latest' ? `after ${confirmations} confirmation${confirmations === 1 ? '' : 's'}` : `once the ${confirmAt} block reaches it`;
}

/** For the history: why an inclusion settles now. */
export function reachedDepth(ctx: Pick<AppContext, 'config'>, block: bigint): string {
  const { confirmations, confirmAt } = ctx.config.tracking;
  return confirmAt === 'latest'
    ? `block ${block} has ${confirmations} confirmation${confirmations === 1 ? '' : 's'}`
    : `the ${confirmAt} block reached block ${block}`;
}
