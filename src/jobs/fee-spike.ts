// Fee spikes. A stored operation's fees cannot change (the signature binds them), so one signed below
// what the base fee rose to is "underpriced": a bundler that lost it refuses it again (alto: "maxFeePerGas
// must be at least …"), and one that holds it may leave it. It is re-sent every STALLED_AFTER_SECONDS
// for FEE_SPIKE_WAIT_SECONDS (fees often come back down, and the original then gets in as signed);
// after that it is re-built: the same calls with THE SAME NONCE, sponsored and signed at current
// fees. That keeps exactly-once without proving the original dead: a nonce is used once, so at most one
// of the two is ever included, and the tracker settles the transaction by whichever hash it sees (the
// old one stays in superseded_user_op_hashes, db/transaction-progress.ts). Every fee signed is capped
// by MAX_FEE_PER_GAS_GWEI: above the cap nothing is re-built and the operation keeps waiting.
import { formatGwei, type Hex } from 'viem';
import type { Transaction } from '../db/schema.js';
import { noteTransaction, storeReSponsoredUserOperation } from '../db/transactions.js';
import type { UserSmartAccount } from '../accounts/smart-account.js';
import { getUserOperationFees } from '../userop/clients.js';
import { FeesAboveCapError } from '../userop/fee-cap.js';
import { isNonceUsed } from '../userop/nonce.js';
import { prepareSignedUserOperation } from '../userop/prepare.js';
import { RE_SPONSOR_FEE_BUMP_PERCENT } from './re-sponsor.js';
import type { SubmitRun } from './submit-run.js';
import { WAITING_FOR_FEES } from './wait-for-fees.js';

/** An operation signed below the latest base fee: what it offers and what the chain asks. */
export type Underpriced = { signedMaxFee: bigint; baseFee: bigint };

/** Whether the stored original is underpriced now; undefined also when the chain cannot say. */
export async function findUnderpriced(run: SubmitRun, tx: Transaction): Promise<Underpriced | undefined> {
  const baseFee = await run.ctx.publicClient.getBlock({ blockTag: 'latest' }).then(
    (block) => block.baseFeePerGas ?? undefined,
    () => undefined,
  );
  const signedMaxFee = BigInt((tx.user_op as { maxFeePerGas: string }).maxFeePerGas);
  return baseFee !== undefined && signedMaxFee < baseFee ? { signedMaxFee, baseFee } : undefined;
}

/**
 * Asks the bundler for a quote before a stalled operation is re-sent. alto judges a send against the
 * lowest quote it gave in its last --gas-price-expiry seconds, and forgets older quotes only when it
 * gives a new one: without this, a quiet bundler keeps refusing the original by a spike that is over.
 */
export async function refreshBundlerQuote(run: SubmitRun): Promise<void> {
  await getUserOperationFees(run.ctx.userOps).catch(() => undefined);
}

/** The stall reason of an underpriced operation: what Chronos will do about it, and when. */
export async function underpricedReason(run: SubmitRun, tx: Transaction, { signedMaxFee, baseFee }: Underpriced): Promise<string> {
  const { config } = run.ctx;
  const after = config.transactions.stalledAfterSeconds;
  const wait = config.fees.spikeWaitSeconds;
  const rebuildAt = new Date(Date.now() + wait * 1000).toISOString();
  const deadline = tx.deadline_at ? ` (${new Date(tx.deadline_at).toISOString()})` : '';
  const aboveCap = await quoteAboveCap(run);
  const rebuild = aboveCap
    ? `current fees (maxFeePerGas ${formatGwei(aboveCap.quotedMaxFeePerGas)} gwei) are above MAX_FEE_PER_GAS_GWEI=${formatGwei(aboveCap.cap)}, so it waits for them to fall: nothing is signed above the cap; once they are within it and it is still underpriced after FEE_SPIKE_WAIT_SECONDS=${wait}s (${rebuildAt}), it is re-built at current fees with the same nonce`
    : `if it is still underpriced after FEE_SPIKE_WAIT_SECONDS=${wait}s (${rebuildAt}), it is re-built at current fees with the same nonce`;
  const window = config.sponsorship.mode === 'own' ? ' (sooner if its sponsorship window passes)' : '';
  return (
    `underpriced: not included after ${after}s, signed with maxFeePerGas ${formatGwei(signedMaxFee)} gwei below the base fee of ${formatGwei(baseFee)} gwei; `
    + `re-sent every ${after}s while fees stay high; ${rebuild}${window}; replaced by a no-op at its deadline${deadline} if still pending`
  );
}

async function quoteAboveCap(run: SubmitRun): Promise<FeesAboveCapError | undefined> {
  const cap = run.ctx.config.fees.maxFeePerGasWei;
  if (cap === undefined) return undefined;
  const quoted = await run.ctx.userOps.fees.get().then(
    (fees) => fees.maxFeePerGas,
    () => undefined,
  );
  return quoted !== undefined && quoted > cap ? new FeesAboveCapError(quoted, cap) : undefined;
}

/**
 * Re-builds the original at current fees once it has been underpriced for FEE_SPIKE_WAIT_SECONDS
 * since `since` (its stall, or its last re-build) and stores it in place of the old one. Undefined when
 * nothing was re-built: not due, no longer underpriced, its nonce already used (the tracker settles
 * it), fees above MAX_FEE_PER_GAS_GWEI (noted in its history), or another run re-built it first.
 */
export async function rebuildAfterFeeSpike(
  run: SubmitRun,
  { tx, account, since }: { tx: Transaction; account: UserSmartAccount; since: Date },
): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const wait = ctx.config.fees.spikeWaitSeconds;
  if (tx.status !== 'SUBMITTED' || tx.replacement_user_op || !tx.user_op || !tx.user_op_hash) return undefined;
  if (Date.now() < since.getTime() + wait * 1000) return undefined;
  const spike = await findUnderpriced(run, tx);
  if (!spike) return undefined;
  const old = tx.user_op as Record<string, string>;
  const nonce = BigInt(old.nonce);
  if (await isNonceUsed(ctx.publicClient, { entryPoint: ctx.config.contracts.entryPoint, sender: account.address, nonce })) return undefined;
  let signed;
  try {
    signed = await run.withRetries({
      step: 're-build after fee spike',
      run: () =>
        prepareSignedUserOperation(ctx.userOps, {
          account,
          chainId: ctx.config.chain.chainId,
          callData: old.callData as Hex,
          nonce,
          // Above the quote, like a re-sponsor: a bundler still holding the old one takes the new one only as a replacement.
          feeBumpPercent: RE_SPONSOR_FEE_BUMP_PERCENT,
          maxFeePerGasCap: ctx.config.fees.maxFeePerGasWei,
        }),
      failTransaction: false,
    });
  } catch (error) {
    if (!(error instanceof FeesAboveCapError)) throw error;
    if (await noteTransaction(ctx.db, { transactionId: id, status: 'SUBMITTED', reason: WAITING_FOR_FEES })) {
      run.log.warn(
        { quotedGwei: formatGwei(error.quotedMaxFeePerGas), capGwei: formatGwei(error.cap) },
        'underpriced, but current fees are above the cap: not re-built',
      );
    }
    return undefined;
  }
  if (!signed.ok || !signed.value) return undefined;
  const reason =
    `underpriced for FEE_SPIKE_WAIT_SECONDS=${wait}s (maxFeePerGas ${formatGwei(spike.signedMaxFee)} gwei below the base fee of ${formatGwei(spike.baseFee)} gwei); `
    + `re-built at current fees (maxFeePerGas ${formatGwei(signed.value.fees.maxFeePerGas)} gwei) with the same nonce; old hash ${tx.user_op_hash}`;
  const stored = await storeReSponsoredUserOperation(ctx.db, {
    transactionId: id,
    which: 'original',
    supersededHash: tx.user_op_hash,
    userOp: signed.value.userOp,
    userOpHash: signed.value.hash,
    reason,
  });
  if (stored) run.log.warn({ oldUserOpHash: tx.user_op_hash, userOpHash: signed.value.hash }, reason);
  return stored;
}
