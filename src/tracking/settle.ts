// Turns an EntryPoint UserOperationEvent into the transaction's final status.
import type { Hex } from 'viem';
import { inFlightWithUserOpHashes } from '../db/transaction-progress.js';
import { transitionTransaction } from '../status/transition.js';
import { runUnitOfWork, type UnitOfWorkContext } from '../status/unit-of-work.js';
import { describeRevert } from '../chain/contracts/revert-reasons.js';
import { failpoint } from '../observability/failpoints.js';

export type InclusionEvent = {
  userOpHash: Hex;
  success: boolean;
  actualGasUsed: bigint;
  actualGasCost: bigint;
  transactionHash: Hex;
  blockNumber: bigint;
  revertReason?: Hex;
};

function revertMessage(data: Hex | undefined): string {
  if (!data) return 'The operation reverted on-chain';
  return `The operation reverted on-chain: ${describeRevert(data) ?? `revert data ${data.slice(0, 266)}`}`;
}

export type SettleResult = { transactionId: string; status: 'CONFIRMED' | 'REVERTED' | 'EXPIRED' };

/** Applies inclusion events to the transactions they belong to (original or replacement UserOperation). */
export async function settleInclusions(ctx: UnitOfWorkContext, events: InclusionEvent[]): Promise<SettleResult[]> {
  if (!events.length) return [];
  const rows = await inFlightWithUserOpHashes(
    ctx.db,
    events.map((e) => e.userOpHash.toLowerCase()),
  );
  const results: SettleResult[] = [];
  for (const row of rows) {
    const event = events.find((e) => e.userOpHash.toLowerCase() === row.user_op_hash || e.userOpHash.toLowerCase() === row.replacement_user_op_hash)!;
    const replaced = event.userOpHash.toLowerCase() === row.replacement_user_op_hash;
    const status = replaced ? 'EXPIRED' : event.success ? 'CONFIRMED' : 'REVERTED';
    const changes = {
      tx_hash: event.transactionHash,
      block_number: event.blockNumber,
      gas_used: event.actualGasUsed,
      gas_cost_wei: event.actualGasCost,
      ...(status === 'REVERTED' && { error_code: 'EXECUTION_REVERTED', error_message: revertMessage(event.revertReason) }),
      ...(status === 'EXPIRED' && {
        error_code: 'INCLUSION_TIMEOUT',
        error_message: 'Not included before its deadline; a no-op replacement consumed its nonce, so it can never execute',
      }),
    };
    // The webhook of the final status goes out from here as soon as this commits (in a process that
    // delivers webhooks), not after a queue hop.
    const moved = await runUnitOfWork(ctx, async (unit) => {
      if (row.status === 'SUBMITTING') {
        await transitionTransaction(unit, { transactionId: row.id, to: 'SUBMITTED', reason: 'seen on-chain before the send was recorded' });
      }
      const settled = await transitionTransaction(unit, {
        transactionId: row.id,
        to: status,
        changes,
        reason: replaced ? 'replacement included' : event.success ? 'included' : 'included, execution reverted',
      });
      failpoint('before-settlement-commit');
      return settled;
    });
    if (!moved) continue;
    failpoint('after-terminal-status');
    results.push({ transactionId: row.id, status });
  }
  return results;
}
