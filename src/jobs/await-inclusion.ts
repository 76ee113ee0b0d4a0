// submit_transaction after SUBMITTED: wait for the tracker to settle the transaction. Not included
// after STALLED_AFTER_SECONDS: flagged (once) and re-sent, and re-sent again every STALLED_AFTER_SECONDS
// while it stays pending — a bundler restarted meanwhile has lost its mempool, and a re-send past the
// sponsorship window is a re-sponsored one. Past its deadline (or its expiry block): replaced with a
// no-op UserOperation of the same nonce, so that it ends one way or the other. An operation underpriced
// by a fee spike is re-built at current fees after FEE_SPIKE_WAIT_SECONDS (fee-spike.ts).
import { storeReplacementUserOperation } from '../db/transactions.js';
import type { Transaction } from '../db/schema.js';
import { touchTransaction } from '../db/transaction-progress.js';
import { TRACKER_CURSOR, findCursorBlock } from '../db/chain-cursors.js';
import { isTerminal } from '../status/machine.js';
import { flagStalledTransaction } from '../status/stall.js';
import type { UserSmartAccount } from '../accounts/smart-account.js';
import { prepareSignedUserOperation } from '../userop/prepare.js';
import { isNonceUsed } from '../userop/nonce.js';
import { settleFromLogs } from '../tracking/find-inclusion.js';
import { failpoint } from '../observability/failpoints.js';
import { expiryOf, type SubmitRun } from './submit-run.js';
import { REPLACEMENT_FEE_BUMP_PERCENT, sendCurrentUserOperation } from './re-sponsor.js';
import { findUnderpriced, rebuildAfterFeeSpike, refreshBundlerQuote, underpricedReason } from './fee-spike.js';
import { signWithinFeeCap } from './wait-for-fees.js';

/** How long after sending a replacement we wait before sending it again. */
const REPLACEMENT_WAIT_MS = 10_000;
/** How often an operation that can expire looks at the tracker's cursor for its expiry block. */
const EXPIRY_CHECK_MS = 2_000;
/** How often an included operation waiting for its depth looks whether a reorg took its inclusion away. */
const INCLUDED_RECHECK_MS = 5_000;

export async function awaitInclusion(run: SubmitRun, { tx, account }: { tx: Transaction; account: UserSmartAccount }): Promise<void> {
  // This run's last re-send: a run resumed after a crash re-sends at once (submit-transaction.ts) and counts from there.
  let resentAt: Date | undefined;
  // Since when an underpriced original has been waited for (its stall, then its last re-build).
  let spikeSince: Date | undefined;
  for (;;) {
    if (tx.block_hash) {
      // Included, waiting for its depth (README, Confirmations and reorgs): nothing to re-send or replace.
      const done = await run.ctx.waiter.waitForTerminal(run.id, new Date(Date.now() + INCLUDED_RECHECK_MS), run.signal);
      if (done) return;
      run.checkShutdown();
      tx = await run.current();
      if (isTerminal(tx.status)) return;
      // A reorg took the inclusion away; the tracker re-sent it then: the stall clock starts there.
      if (!tx.block_hash) resentAt = new Date();
      continue;
    }
    const { deadline, recheckAt } = await effectiveDeadline(run, tx);
    const stallAt = stallTime(run, tx, resentAt);
    const wakeAt = earliest(deadline, stallAt, recheckAt);
    const done = await run.ctx.waiter.waitForTerminal(run.id, wakeAt, run.signal);
    if (done) return;
    run.checkShutdown();
    const current = await run.current();
    if (isTerminal(current.status)) return;
    if (current.block_hash) {
      tx = current;
      continue;
    }
    if (stallAt && Date.now() >= stallAt.getTime()) {
      spikeSince ??= current.stalled_at ?? new Date();
      const handled = await handleStall(run, current, account, spikeSince);
      tx = handled.tx ?? current;
      if (handled.rebuilt) spikeSince = new Date();
      resentAt = new Date();
      continue;
    }
    if (Date.now() < deadline.getTime()) {
      tx = current;
      continue;
    }
    tx = (await replace(run, current, account)) ?? current;
    if (isTerminal(tx.status)) return;
  }
}

/** When the stored operation is next re-sent: STALLED_AFTER_SECONDS after it was sent, then after each re-send. */
function stallTime(run: SubmitRun, tx: Transaction, resentAt: Date | undefined): Date | undefined {
  if (tx.replacement_user_op || !tx.submitted_at) return undefined;
  const since = resentAt ?? tx.stalled_at ?? tx.submitted_at;
  return new Date(new Date(since).getTime() + run.ctx.config.transactions.stalledAfterSeconds * 1000);
}

/**
 * Flags the stall with why the first time, then re-sends the stored operation — or, underpriced for
 * FEE_SPIKE_WAIT_SECONDS since `spikeSince`, sends it re-built at current fees (`rebuilt`).
 */
async function handleStall(run: SubmitRun, tx: Transaction, account: UserSmartAccount, spikeSince: Date): Promise<{ tx?: Transaction; rebuilt: boolean }> {
  if (!tx.stalled_at) await flagStall(run, tx);
  else run.log.debug({ userOpHash: tx.user_op_hash }, 'still not included; re-sending');
  const rebuilt = await rebuildAfterFeeSpike(run, { tx, account, since: spikeSince });
  if (!rebuilt) await refreshBundlerQuote(run);
  // A bundler drops an operation whose window passed: then the re-send is a re-sponsored one.
  await sendCurrentUserOperation(run, {
    tx: rebuilt ?? tx,
    account,
    which: 'original',
    step: rebuilt ? 'send re-built' : 're-send after stall',
    failTransaction: false,
    fresh: !!rebuilt,
  });
  return { tx: await run.current(), rebuilt: !!rebuilt };
}

/**
 * Why it is not included: underpriced (the base fee rose above the maxFeePerGas it is signed with,
 * which no re-send can change), else whether the bundler still holds it.
 */
async function flagStall(run: SubmitRun, tx: Transaction): Promise<void> {
  const { ctx, id } = run;
  const after = ctx.config.transactions.stalledAfterSeconds;
  const [held, underpriced] = await Promise.all([
    ctx.userOps.bundler.request({ method: 'eth_getUserOperationByHash', params: [tx.user_op_hash as `0x${string}`] }).then(
      (op): 'held' | 'dropped' => (op ? 'held' : 'dropped'),
      (): 'unknown' => 'unknown',
    ),
    findUnderpriced(run, tx),
  ]);
  const reason = underpriced
    ? await underpricedReason(run, tx, underpriced)
    : {
        held: `not included after ${after}s although the bundler holds it (congestion or fees); re-sent, and replaced by a no-op at the deadline if still pending`,
        dropped: `not included after ${after}s and no longer known to the bundler (dropped); re-sent`,
        unknown: `not included after ${after}s; the bundler could not say whether it holds it; re-sent`,
      }[held];
  const flagged = await flagStalledTransaction(ctx.db, { transactionId: id, reason });
  if (flagged) run.log.warn({ userOpHash: tx.user_op_hash, reason, stalledAfterSeconds: after }, 'transaction stalled');
}

/**
 * When the operation is replaced: its time deadline, or now once the tracker has read past its expiry
 * block. `recheckAt`: when to look at the tracker's cursor again, for an operation that can expire —
 * a wake-up only, never a deadline (an operation waiting for a slow block must not be replaced for it).
 */
async function effectiveDeadline(run: SubmitRun, tx: Transaction): Promise<{ deadline: Date; recheckAt?: Date }> {
  const byTime = tx.deadline_at ?? new Date(Date.now() + run.ctx.config.transactions.inclusionTimeoutSeconds * 1000);
  if (tx.replacement_user_op) return { deadline: new Date(Math.max(Date.now(), tx.updated_at.valueOf()) + REPLACEMENT_WAIT_MS) };
  const expiry = expiryOf(tx);
  if (!expiry) return { deadline: byTime };
  // Past its expiry block the operation cannot succeed any more: no point waiting for the time deadline.
  const tracked = await findCursorBlock(run.ctx.db, TRACKER_CURSOR);
  if (tracked !== undefined && tracked > BigInt(expiry.block)) return { deadline: new Date() };
  return { deadline: byTime, recheckAt: new Date(Date.now() + EXPIRY_CHECK_MS) };
}

const earliest = (...dates: (Date | undefined)[]): Date => new Date(Math.min(...dates.filter((d): d is Date => d !== undefined).map((d) => d.getTime())));

/**
 * Sends (or re-sends) a no-op UserOperation with the original's nonce and higher fees. Once it is
 * included the original can never be; the tracker then ends the transaction EXPIRED.
 */
async function replace(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const nonce = BigInt(tx.user_op!.nonce);
  if (await isNonceUsed(ctx.publicClient, { entryPoint: ctx.config.contracts.entryPoint, sender: account.address, nonce })) {
    // The nonce is spent: by the original (as stored, or a version a re-build superseded) or by our replacement. Find which and settle now.
    const hashes = [tx.user_op_hash, tx.replacement_user_op_hash, ...tx.superseded_user_op_hashes].filter((h): h is `0x${string}` => !!h);
    await settleFromLogs(ctx, { hashes, fromBlock: BigInt(tx.submitted_block ?? 0) });
    return run.current();
  }
  if (!tx.replacement_user_op) {
    run.log.warn({ deadline: tx.deadline_at }, 'not included by its deadline; sending a no-op replacement');
    // Above MAX_FEE_PER_GAS_GWEI it waits (the original may still get in meanwhile: then the wait ends).
    const signed = await signWithinFeeCap(run, () =>
      run.withRetries({
        step: 'prepare replacement',
        run: () =>
          prepareSignedUserOperation(ctx.userOps, {
            account,
            chainId: ctx.config.chain.chainId,
            callData: '0x',
            nonce,
            feeBumpPercent: REPLACEMENT_FEE_BUMP_PERCENT,
            maxFeePerGasCap: ctx.config.fees.maxFeePerGasWei,
          }),
        failTransaction: false,
      }),
    );
    if (!signed.ok || !signed.value) return undefined;
    tx =
      (await storeReplacementUserOperation(ctx.db, { transactionId: id, userOp: signed.value.userOp, userOpHash: signed.value.hash })) ?? (await run.current());
    if (isTerminal(tx.status) || !tx.replacement_user_op) return tx;
    failpoint('after-replacement-stored');
  }
  // A replacement waiting past its own window is re-sponsored the same way (same nonce, fresh sponsorship).
  tx = (await sendCurrentUserOperation(run, { tx, account, which: 'replacement', step: 'send replacement', failTransaction: false })).tx;
  if (isTerminal(tx.status)) return tx;
  failpoint('after-replacement-sent');
  await touchTransaction(ctx.db, id);
  return run.current();
}
