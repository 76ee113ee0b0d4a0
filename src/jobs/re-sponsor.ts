// Re-sponsoring: one of two cases in which a second UserOperation is built for a transaction (a third,
// for its no-op replacement); the other is the re-build after a fee spike (fee-spike.ts), which keeps the
// old hash matchable instead because the old one may still get in. Otherwise a stored operation is only
// ever re-sent. Our own paymaster signs a window, though: once a block
// B has a timestamp past validUntil and the nonce is still unused at B, the stored operation can never be
// included by any later block (userop/sponsorship/window-passed.ts), so a new one with THE SAME NONCE,
// freshly sponsored and signed, cannot execute twice either: at most one operation ever uses a nonce.
// Without it a transaction whose bundler was away longer than SPONSORSHIP_VALID_SECONDS would stay
// stuck until its deadline replacement, and that replacement could be stuck the same way.
// A hosted paymaster's window is unknown (its data is opaque): its operations are only ever re-sent.
import type { Hex } from 'viem';
import { storeReSponsoredUserOperation } from '../db/transactions.js';
import type { Transaction } from '../db/schema.js';
import { isTerminal } from '../status/machine.js';
import type { UserSmartAccount } from '../accounts/smart-account.js';
import { prepareSignedUserOperation } from '../userop/prepare.js';
import { ownSponsorshipWindow } from '../userop/sponsorship/own-paymaster.js';
import { readWindowState, type WindowState } from '../userop/sponsorship/window-passed.js';
import type { SubmitRun } from './submit-run.js';
import { signWithinFeeCap } from './wait-for-fees.js';

/** Which stored operation of the transaction: the original or its no-op replacement. */
export type StoredOperation = 'original' | 'replacement';

/**
 * Fees of a re-sponsored original over the current quote: a bundler that still holds the dead
 * operation treats the new one as its replacement, which must pay more to be taken.
 */
export const RE_SPONSOR_FEE_BUMP_PERCENT = 15;
/** A replacement is re-sponsored as it was first built: well above the quote, to get in. */
export const REPLACEMENT_FEE_BUMP_PERCENT = 50;

export type SendCurrentParameters = {
  tx: Transaction;
  account: UserSmartAccount;
  which: StoredOperation;
  step: string;
  failTransaction?: boolean;
  /** Built and stored a moment ago by this run: no need to ask the chain about its window first. */
  fresh?: boolean;
};

/**
 * Sends (or re-sends) the transaction's current `which` operation, first re-sponsoring it if its window
 * provably passed, and again whenever the send finds that it did (a bundler refusing it "expires too
 * soon" by its own clock is retried until the chain's clock agrees). `tx`: the row as it is after.
 */
export async function sendCurrentUserOperation(run: SubmitRun, p: SendCurrentParameters): Promise<{ sent: boolean; tx: Transaction }> {
  let tx = p.tx;
  let askFirst = !p.fresh;
  for (;;) {
    const userOp = operationOf(tx, p.which);
    const window = run.ctx.config.sponsorship.mode === 'own' ? ownSponsorshipWindow(userOp, run.ctx.config.sponsorship.paymaster) : undefined;
    const windowState =
      window && (() => readWindowState(run.ctx.publicClient, { entryPoint: run.ctx.config.contracts.entryPoint, userOp, validUntil: window.validUntil }));
    if (windowState && askFirst) {
      const state = await windowState();
      if (state.state === 'passed') {
        const next = await reSponsor(run, { tx, account: p.account, which: p.which, validUntil: window!.validUntil, passed: state });
        if (!next || isTerminal(next.status)) return { sent: false, tx: next ?? (await run.current()) };
        tx = next;
        askFirst = false;
        continue;
      }
    }
    const outcome = await run.send({
      step: p.step,
      userOp,
      failTransaction: p.failTransaction,
      outlived: windowState && (async () => (await windowState()).state === 'passed'),
    });
    if (outcome !== 'outlived') return { sent: outcome === 'sent', tx };
    askFirst = true;
  }
}

function operationOf(tx: Transaction, which: StoredOperation): Record<string, string> {
  return (which === 'original' ? tx.user_op : tx.replacement_user_op) as Record<string, string>;
}

function hashOf(tx: Transaction, which: StoredOperation): string {
  return (which === 'original' ? tx.user_op_hash : tx.replacement_user_op_hash)!;
}

/**
 * Builds the operation again with the same nonce and calls, sponsored and signed afresh, and stores it
 * in place of the dead one. Undefined when the transaction ended instead (expired, or the rebuilt
 * original refused: nothing ran, the nonce is unused, FAILED is the truth).
 */
async function reSponsor(
  run: SubmitRun,
  {
    tx,
    account,
    which,
    validUntil,
    passed,
  }: { tx: Transaction; account: UserSmartAccount; which: StoredOperation; validUntil: number; passed: Extract<WindowState, { state: 'passed' }> },
): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const dead = operationOf(tx, which);
  const deadHash = hashOf(tx, which);
  // A mint past its expiry block would only revert: the dead original was never included, so it ends
  // EXPIRED as one the bundler never took.
  if (which === 'original' && (await run.expireUnsent(tx))) return undefined;
  // The dead one cannot be included any more: above MAX_FEE_PER_GAS_GWEI there is nothing to do but wait.
  const signed = await signWithinFeeCap(run, () =>
    run.withRetries({
      step: which === 'original' ? 're-sponsor' : 're-sponsor replacement',
      run: () =>
        prepareSignedUserOperation(ctx.userOps, {
          account,
          chainId: ctx.config.chain.chainId,
          callData: dead.callData as Hex,
          nonce: BigInt(dead.nonce),
          feeBumpPercent: which === 'original' ? RE_SPONSOR_FEE_BUMP_PERCENT : REPLACEMENT_FEE_BUMP_PERCENT,
          maxFeePerGasCap: ctx.config.fees.maxFeePerGasWei,
        }),
      failTransaction: which === 'original',
    }),
  );
  if (!signed.ok || !signed.value) return undefined;
  const reason =
    `sponsorship window passed at block ${passed.block} (validUntil ${validUntil}, block time ${passed.blockTimestamp}); `
    + `re-sponsored with the same nonce; old hash ${deadHash}`;
  const stored = await storeReSponsoredUserOperation(ctx.db, {
    transactionId: id,
    which,
    supersededHash: deadHash,
    userOp: signed.value.userOp,
    userOpHash: signed.value.hash,
    reason,
  });
  if (stored) {
    run.log.warn({ which, block: passed.block, validUntil, oldUserOpHash: deadHash, userOpHash: signed.value.hash }, reason);
    return stored;
  }
  // Another run re-sponsored it first (or the transaction ended): go on with what is stored.
  return run.current();
}
