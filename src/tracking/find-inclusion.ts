// The slow path, for when a job finds its operation's nonce already used but nothing was settled
// (e.g. the tracker's cursor was reset): look the operation's hashes up directly in the logs.
import type { Address, Hex } from 'viem';
import type { AppContext } from '../context.js';
import type { UnitOfWorkContext } from '../status/unit-of-work.js';
import { settleInclusions, type SettleResult } from './settle.js';
import { USER_OPERATION_EVENT, USER_OPERATION_REVERT_REASON, toInclusionEvents } from './inclusion-tracker.js';
import { settledHeight } from './confirmation-depth.js';

export async function settleFromLogs(
  ctx: AppContext & UnitOfWorkContext,
  { hashes, fromBlock }: { hashes: Hex[]; fromBlock: bigint },
): Promise<SettleResult[]> {
  const query = { address: ctx.config.contracts.entryPoint as Address, args: { userOpHash: hashes }, fromBlock, toBlock: 'latest' as const, strict: true };
  const [included, reasons, settleUpTo] = await Promise.all([
    ctx.publicClient.getLogs({ ...query, event: USER_OPERATION_EVENT }),
    ctx.publicClient.getLogs({ ...query, event: USER_OPERATION_REVERT_REASON }),
    settledHeight(ctx),
  ]);
  // Not deep enough yet: recorded, and settled by the tracker at its depth like any other inclusion.
  return settleInclusions(ctx, toInclusionEvents([...included, ...reasons]), { settleUpTo });
}
