// Before an operation of the own paymaster is built: the deposit must be able to pay for it. The
// EntryPoint refuses an operation whose maximum cost exceeds the paymaster's deposit (AA31), so sending
// it would only be refused; it waits ACCEPTED instead, with the reason in its history, and proceeds by
// itself once `chronos paymaster deposit` tops the deposit up. (A refusal for AA31 after sending is
// retried too, userop/errors.ts: the deposit can run out between this check and inclusion.)
import { formatEther } from 'viem';
import type { Transaction } from '../db/schema.js';
import { noteTransaction } from '../db/transactions.js';
import { readPaymasterDeposit } from '../chain/paymaster-deposit.js';
import type { SubmitRun } from './submit-run.js';

/** How often a waiting operation reads the deposit again. */
export const DEPOSIT_POLL_MS = 2_000;

export const WAITING_FOR_DEPOSIT = 'waiting for the paymaster deposit: it holds less than this operation may cost';

/** Resolves when the deposit covers the operation (at once, usually); false when the transaction expired meanwhile. */
export async function waitForDeposit(run: SubmitRun, tx: Transaction): Promise<boolean> {
  const { sponsorship } = run.ctx.config;
  // The reservation made at accept: the operation's gas ceiling × the fee cap, an upper estimate of its maximum cost.
  const needed = BigInt(tx.gas_reserved_wei);
  if (sponsorship.mode !== 'own' || needed === 0n) return true;
  for (;;) {
    const deposit = await readPaymasterDeposit(run.ctx.publicClient, sponsorship.paymaster);
    if (deposit >= needed) return true;
    if (await noteTransaction(run.ctx.db, { transactionId: run.id, status: 'ACCEPTED', reason: WAITING_FOR_DEPOSIT })) {
      run.log.warn(
        { paymaster: sponsorship.paymaster, depositEth: formatEther(deposit), neededEth: formatEther(needed) },
        'the paymaster deposit cannot cover this operation: it waits until `chronos paymaster deposit AMOUNT`',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, DEPOSIT_POLL_MS));
    run.checkShutdown();
    if (await run.expireUnsent(tx)) return false;
  }
}
