// MAX_FEE_PER_GAS_GWEI: while the bundler's fee quote is above the cap, nothing is signed. A new
// operation waits ACCEPTED (with the reason in its history, as for the paymaster deposit) and proceeds
// by itself once fees fall; a step that must sign (a re-sponsor, the deadline's no-op) waits the same
// way in the status it is in. A fee level is never a reason to end a transaction FAILED.
import { formatGwei } from 'viem';
import type { Transaction, TransactionStatus } from '../db/schema.js';
import { noteTransaction } from '../db/transactions.js';
import { isTerminal } from '../status/machine.js';
import { FeesAboveCapError } from '../userop/fee-cap.js';
import type { RetryResult } from '../userop/with-retries.js';
import type { SubmitRun } from './submit-run.js';

/** How often a waiting operation asks for a fee quote again. */
export const FEE_POLL_MS = 2_000;

export const WAITING_FOR_FEES = 'waiting for fees to fall: the current quote is above MAX_FEE_PER_GAS_GWEI, and nothing is signed above it';

/** Resolves when the quote is within the cap (at once without one); false when the transaction expired meanwhile. */
export async function waitForAffordableFees(run: SubmitRun, tx: Transaction): Promise<boolean> {
  const cap = run.ctx.config.fees.maxFeePerGasWei;
  if (cap === undefined) return true;
  for (;;) {
    const quoted = (await run.ctx.userOps.fees.get()).maxFeePerGas;
    if (quoted <= cap) return true;
    await noteWaiting(run, 'ACCEPTED', new FeesAboveCapError(quoted, cap));
    await pause(run);
    if (await run.expireUnsent(tx)) return false;
  }
}

/**
 * Runs a signing step until it signs within the cap: refused by the cap, it waits (noted in the history
 * of the status it is in) and tries again. Not ok when the transaction ended meanwhile.
 */
export async function signWithinFeeCap<T>(run: SubmitRun, sign: () => Promise<RetryResult<T>>): Promise<RetryResult<T>> {
  for (;;) {
    try {
      return await sign();
    } catch (error) {
      if (!(error instanceof FeesAboveCapError)) throw error;
      const current = await run.current();
      if (isTerminal(current.status)) return { ok: false };
      await noteWaiting(run, current.status, error);
      await pause(run);
      if (isTerminal((await run.current()).status)) return { ok: false };
    }
  }
}

async function noteWaiting(run: SubmitRun, status: TransactionStatus, above: FeesAboveCapError): Promise<void> {
  if (await noteTransaction(run.ctx.db, { transactionId: run.id, status, reason: WAITING_FOR_FEES })) {
    run.log.warn({ quotedGwei: formatGwei(above.quotedMaxFeePerGas), capGwei: formatGwei(above.cap) }, WAITING_FOR_FEES);
  }
}

/** Sleeps FEE_POLL_MS, waking early if the transaction ends (the tracker may settle it meanwhile). */
async function pause(run: SubmitRun): Promise<void> {
  await run.ctx.waiter.waitForTerminal(run.id, new Date(Date.now() + FEE_POLL_MS), run.signal);
  run.checkShutdown();
}
