// submit_transaction after SUBMITTED: wait for the tracker to settle the transaction. Not included
// after STALLED_AFTER_SECONDS: flagged and re-sent. Past its deadline (or its expiry block): replaced
// with a no-op UserOperation of the same nonce, so that it ends one way or the other.
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

/** How long after sending a replacement we wait before sending it again. */
const REPLACEMENT_WAIT_MS = 10_000;
/** How often an operation that can expire looks at the tracker's cursor for its expiry block. */
const EXPIRY_CHECK_MS = 2_000;

export async function awaitInclusion(run: SubmitRun, { tx, account }: { tx: Transaction; account: UserSmartAccount }): Promise<void> {
  for (;;) {
    const deadline = await effectiveDeadline(run, tx);
    const stallAt = stallTime(run, tx);
    const wakeAt = stallAt && stallAt < deadline ? stallAt : deadline;
    const done = await run.ctx.waiter.waitForTerminal(run.id, wakeAt, run.signal);
    if (done) return;
    run.checkShutdown();
    const current = await run.current();
    if (isTerminal(current.status)) return;
    if (stallAt && Date.now() >= stallAt.getTime()) {
      tx = (await handleStall(run, current, account)) ?? current;
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

function stallTime(run: SubmitRun, tx: Transaction): Date | undefined {
  if (tx.stalled_at || tx.replacement_user_op || !tx.submitted_at) return undefined;
  return new Date(new Date(tx.submitted_at).getTime() + run.ctx.config.transactions.stalledAfterSeconds * 1000);
}

/** Flags the stall with why (does the bundler still hold it?), then re-sends the stored operation. */
async function handleStall(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const after = ctx.config.transactions.stalledAfterSeconds;
  const held = await ctx.userOps.bundler.request({ method: 'eth_getUserOperationByHash', params: [tx.user_op_hash as `0x${string}`] }).then(
    (op): 'held' | 'dropped' => (op ? 'held' : 'dropped'),
    (): 'unknown' => 'unknown',
  );
  const reason = {
    held: `not included after ${after}s although the bundler holds it (congestion or fees); re-sent, and replaced by a no-op at the deadline if still pending`,
    dropped: `not included after ${after}s and no longer known to the bundler (dropped); re-sent`,
    unknown: `not included after ${after}s; the bundler could not say whether it holds it; re-sent`,
  }[held];
  const flagged = await flagStalledTransaction(ctx.db, { transactionId: id, reason });
  if (flagged) run.log.warn({ userOpHash: tx.user_op_hash, reason, stalledAfterSeconds: after }, 'transaction stalled');
  // A bundler drops an operation whose window passed: then the re-send is a re-sponsored one.
  await sendCurrentUserOperation(run, { tx, account, which: 'original', step: 're-send after stall', failTransaction: false });
  return run.current();
}

async function effectiveDeadline(run: SubmitRun, tx: Transaction): Promise<Date> {
  const byTime = tx.deadline_at ?? new Date(Date.now() + run.ctx.config.transactions.inclusionTimeoutSeconds * 1000);
  if (tx.replacement_user_op) return new Date(Math.max(Date.now(), tx.updated_at.valueOf()) + REPLACEMENT_WAIT_MS);
  const expiry = expiryOf(tx);
  if (expiry) {
    // Past its expiry block the operation cannot succeed any more: no point waiting for the time deadline.
    const tracked = await findCursorBlock(run.ctx.db, TRACKER_CURSOR);
    if (tracked !== undefined && tracked > BigInt(expiry.block)) return new Date();
    return new Date(Math.min(byTime.getTime(), Date.now() + EXPIRY_CHECK_MS));
  }
  return byTime;
}

/**
 * Sends (or re-sends) a no-op UserOperation with the original's nonce and higher fees. Once it is
 * included the original can never be; the tracker then ends the transaction EXPIRED.
 */
async function replace(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const nonce = BigInt(tx.user_op!.nonce);
  if (await isNonceUsed(ctx.publicClient, { entryPoint: ctx.config.contracts.entryPoint, sender: account.address, nonce })) {
    // The nonce is spent: by the original or by our replacement. Find which and settle now.
    const hashes = [tx.user_op_hash, tx.replacement_user_op_hash].filter((h): h is `0x${string}` => !!h);
    await settleFromLogs(ctx, { hashes, fromBlock: BigInt(tx.submitted_block ?? 0) });
    return run.current();
  }
  if (!tx.replacement_user_op) {
    run.log.warn({ deadline: tx.deadline_at }, 'not included by its deadline; sending a no-op replacement');
    const signed = await run.withRetries({
      step: 'prepare replacement',
      run: () =>
        prepareSignedUserOperation(ctx.userOps, {
          account,
          chainId: ctx.config.chain.chainId,
          callData: '0x',
          nonce,
          feeBumpPercent: REPLACEMENT_FEE_BUMP_PERCENT,
        }),
      failTransaction: false,
    });
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
