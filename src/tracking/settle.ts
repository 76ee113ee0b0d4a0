// Turns an EntryPoint UserOperationEvent into the transaction's final status: at once when its block
// is deep enough (README, Confirmations and reorgs), else recorded on the SUBMITTED transaction and
// settled by settlePendingInclusions once it is. An inclusion of a settled transaction that a reorg
// had taken out only records where it is now.
import type { Hex } from 'viem';
import { noteTransaction } from '../db/transactions.js';
import {
  pendingInclusionsUpTo,
  recordPendingInclusion,
  recordReinclusion,
  trackedWithUserOpHashes,
  type IncludedOutcome,
  type InclusionColumns,
  type TrackedByHash,
} from '../db/inclusions.js';
import type { TransactionChanges, TransactionStatus } from '../db/schema.js';
import { isTerminal } from '../statuses.js';
import { transitionTransaction } from '../status/transition.js';
import { runUnitOfWork, type UnitOfWorkContext } from '../status/unit-of-work.js';
import { describeRevert } from '../chain/contracts/revert-reasons.js';
import { failpoint } from '../observability/failpoints.js';
import type { AppContext } from '../context.js';
import { awaitedDepth, reachedDepth } from './confirmation-depth.js';

export type InclusionEvent = {
  userOpHash: Hex;
  success: boolean;
  actualGasUsed: bigint;
  actualGasCost: bigint;
  transactionHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  revertReason?: Hex;
};

function revertMessage(data: Hex | undefined): string {
  if (!data) return 'The operation reverted on-chain';
  return `The operation reverted on-chain: ${describeRevert(data) ?? `revert data ${data.slice(0, 266)}`}`;
}

const EXPIRED_MESSAGE = 'Not included before its deadline; a no-op replacement consumed its nonce, so it can never execute';

export type SettleResult = { transactionId: string; status: 'CONFIRMED' | 'REVERTED' | 'EXPIRED' };

type SettleContext = UnitOfWorkContext & Pick<AppContext, 'config' | 'logger'>;

/** The columns of the final status besides the inclusion's own. */
function outcomeChanges(outcome: IncludedOutcome, errorMessage: string | null | undefined): Omit<TransactionChanges, 'status' | 'id'> {
  return {
    included_outcome: null,
    included_error_message: null,
    ...(outcome === 'REVERTED' && { error_code: 'EXECUTION_REVERTED', error_message: errorMessage ?? revertMessage(undefined) }),
    ...(outcome === 'EXPIRED' && { error_code: 'INCLUSION_TIMEOUT', error_message: EXPIRED_MESSAGE }),
  };
}

const REASONS: Record<IncludedOutcome, string> = { CONFIRMED: 'included', REVERTED: 'included, execution reverted', EXPIRED: 'replacement included' };

/**
 * Applies inclusion events to the transactions they belong to (original or replacement UserOperation).
 * `settleUpTo`: the highest block whose inclusions are deep enough to settle now.
 */
export async function settleInclusions(ctx: SettleContext, events: InclusionEvent[], { settleUpTo }: { settleUpTo: bigint }): Promise<SettleResult[]> {
  if (!events.length) return [];
  const rows = await trackedWithUserOpHashes(
    ctx.db,
    events.map((e) => e.userOpHash.toLowerCase()),
  );
  const results: SettleResult[] = [];
  for (const row of rows) {
    const event = events.find((e) => e.userOpHash.toLowerCase() === row.user_op_hash || e.userOpHash.toLowerCase() === row.replacement_user_op_hash)!;
    const replaced = event.userOpHash.toLowerCase() === row.replacement_user_op_hash;
    const outcome: IncludedOutcome = replaced ? 'EXPIRED' : event.success ? 'CONFIRMED' : 'REVERTED';
    const columns: InclusionColumns = {
      // A superseded version (re-built after a fee spike) got in: the hash shown is the one included.
      ...(!replaced && row.user_op_hash !== row.stored_user_op_hash && { user_op_hash: row.user_op_hash }),
      tx_hash: event.transactionHash,
      block_number: event.blockNumber,
      block_hash: event.blockHash.toLowerCase(),
      gas_used: event.actualGasUsed,
      gas_cost_wei: event.actualGasCost,
    };
    if (isTerminal(row.status)) {
      await recordIncludedAgain(ctx, row, { columns, outcome });
      continue;
    }
    const errorMessage = outcome === 'REVERTED' ? revertMessage(event.revertReason) : undefined;
    if (event.blockNumber > settleUpTo) {
      await recordNotDeepEnough(ctx, row, { columns, outcome, errorMessage });
      continue;
    }
    const changes = { ...columns, ...outcomeChanges(outcome, errorMessage) };
    if (await settle(ctx, { transactionId: row.id, from: row.status, to: outcome, changes, reason: REASONS[outcome] })) {
      results.push({ transactionId: row.id, status: outcome });
    }
  }
  return results;
}

/**
 * Writes the final status (after SUBMITTED, for one still SUBMITTING when it was seen on-chain), in one
 * unit of work: its webhook goes out from here as soon as this commits (in a process that delivers
 * webhooks), not after a queue hop. False when another process settled it first.
 */
async function settle(
  ctx: SettleContext,
  {
    transactionId,
    from,
    to,
    changes,
    reason,
  }: { transactionId: string; from: TransactionStatus; to: IncludedOutcome; changes: Omit<TransactionChanges, 'status' | 'id'>; reason: string },
): Promise<boolean> {
  const moved = await runUnitOfWork(ctx, async (unit) => {
    if (from === 'SUBMITTING') await transitionTransaction(unit, { transactionId, to: 'SUBMITTED', reason: 'seen on-chain before the send was recorded' });
    const settled = await transitionTransaction(unit, { transactionId, to, changes, reason });
    failpoint('before-settlement-commit');
    return settled;
  });
  if (!moved) return false;
  failpoint('after-terminal-status');
  return true;
}

/** Included, but above the settled height: recorded (and shown as includedBlock) while it stays SUBMITTED. */
async function recordNotDeepEnough(
  ctx: SettleContext,
  row: TrackedByHash,
  { columns, outcome, errorMessage }: { columns: InclusionColumns; outcome: IncludedOutcome; errorMessage?: string },
): Promise<void> {
  if (row.block_hash === columns.block_hash) return;
  await runUnitOfWork(ctx, async (unit) => {
    if (row.status === 'SUBMITTING') {
      await transitionTransaction(unit, { transactionId: row.id, to: 'SUBMITTED', reason: 'seen on-chain before the send was recorded' });
    }
    if (!(await recordPendingInclusion(unit.trx, { transactionId: row.id, columns, outcome, errorMessage }))) return;
    await noteTransaction(unit.trx, {
      transactionId: row.id,
      status: 'SUBMITTED',
      reason: `${REASONS[outcome]} in block ${columns.block_number} (${columns.block_hash}); settles as ${outcome} ${awaitedDepth(ctx)}`,
    });
    failpoint('before-inclusion-record-commit');
  });
}

/** A settled transaction that a reorg had taken out is on the chain again: where, and whether it still did what its status says. */
async function recordIncludedAgain(
  ctx: SettleContext,
  row: TrackedByHash,
  { columns, outcome }: { columns: InclusionColumns; outcome: IncludedOutcome },
): Promise<void> {
  const same = outcome === row.status;
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await recordReinclusion(trx, { transactionId: row.id, columns }))) return;
    await noteTransaction(trx, {
      transactionId: row.id,
      status: row.status,
      reason: same
        ? `included again after a reorg, in block ${columns.block_number} (${columns.block_hash})`
        : `included again after a reorg, in block ${columns.block_number} (${columns.block_hash}), but as ${REASONS[outcome]}: the chain no longer matches ${row.status}`,
    });
  });
  if (same) ctx.logger.info({ transactionId: row.id, blockNumber: columns.block_number }, 'reorged transaction included again');
  else ctx.logger.error({ transactionId: row.id, status: row.status, onChain: outcome }, 'reorged transaction included again with a different outcome');
}

/**
 * Settles the SUBMITTED transactions whose recorded inclusion is now at or below `settleUpTo`, each
 * only if its block is still the one recorded (`canonicalHash`: the chain's hash at a height).
 */
export async function settlePendingInclusions(
  ctx: SettleContext,
  { settleUpTo, canonicalHash }: { settleUpTo: bigint; canonicalHash: (block: bigint) => Promise<string | undefined> },
): Promise<SettleResult[]> {
  const results: SettleResult[] = [];
  for (const row of await pendingInclusionsUpTo(ctx.db, settleUpTo)) {
    const block = BigInt(row.block_number!);
    // A different block at that height: a reorg the next poll rewinds over (and forgets this inclusion).
    if ((await canonicalHash(block))?.toLowerCase() !== row.block_hash) continue;
    const outcome = row.included_outcome!;
    const changes = outcomeChanges(outcome, row.included_error_message);
    if (await settle(ctx, { transactionId: row.id, from: 'SUBMITTED', to: outcome, changes, reason: `${REASONS[outcome]}; ${reachedDepth(ctx, block)}` })) {
      results.push({ transactionId: row.id, status: outcome });
    }
  }
  return results;
}
