// submit_transaction: drives one accepted transaction to a terminal status, phase by phase:
//   pick-up (the paymaster deposit covers it, fees are within MAX_FEE_PER_GAS_GWEI; ACCEPTED → SUBMITTING) → build, sponsor, sign, STORE → send → SUBMITTED → await-inclusion.ts
// A retried or recovered job resumes from what is stored: it re-sends the stored UserOperation and
// builds a second one only with the same nonce (an operation of our own paymaster provably dead past
// its sponsorship window, re-sponsor.ts; one underpriced for FEE_SPIKE_WAIT_SECONDS, fee-spike.ts). Past the deadline,
// a no-op UserOperation with the same nonce makes the original impossible to include (→ EXPIRED).
import type { Task } from 'graphile-worker';
import { findTransaction, storeUserOperation } from '../db/transactions.js';
import type { Transaction } from '../db/schema.js';
import { blockingOlderTransaction, claimNonceKey } from '../db/transaction-progress.js';
import { isTerminal } from '../status/machine.js';
import { definitionOf } from '../operations/index.js';
import { InvalidParamsError } from '../operations/types.js';
import { operationContracts } from '../operations/contracts.js';
import { deriveOwnerPrivateKey } from '../accounts/derive-owner.js';
import { toUserSmartAccount, type UserSmartAccount } from '../accounts/smart-account.js';
import { prepareSignedUserOperation } from '../userop/prepare.js';
import { summarize } from '../userop/errors.js';
import { MAX_BACKOFF_MS } from '../userop/with-retries.js';
import { isDatabaseUnavailable, isRpcUnavailable } from '../dependency-errors.js';
import { failpoint } from '../observability/failpoints.js';
import type { WorkerContext } from '../worker/context.js';
import { createSubmitRun, Shutdown, type SubmitRun } from './submit-run.js';
import { awaitInclusion } from './await-inclusion.js';
import { sendCurrentUserOperation } from './re-sponsor.js';
import { waitForDeposit } from './wait-for-deposit.js';
import { signWithinFeeCap, waitForAffordableFees } from './wait-for-fees.js';

export type SubmitTransactionPayload = { transactionId: string };

export function assertSubmitTransactionPayload(payload: unknown): asserts payload is SubmitTransactionPayload {
  if (typeof (payload as SubmitTransactionPayload | null)?.transactionId !== 'string') {
    throw new Error(`submit_transaction payload must be { transactionId: string }, got ${JSON.stringify(payload)}`);
  }
}

/** How old the tracker's last head may be to stand for "a block before the send" (older only widens searches). */
const HEAD_REUSE_MS = 5_000;
/** How long a wait for an older operation of the same user lasts before looking again. */
const ORDER_WAIT_MS = 5_000;
/** How long a build waits for a nonce key to free when every one is held. */
const KEY_WAIT_MS = 250;

export function submitTransaction(ctx: WorkerContext): Task {
  return async (payload, helpers) => {
    assertSubmitTransactionPayload(payload);
    await runResuming(createSubmitRun(ctx, helpers, payload.transactionId));
  };
}

/**
 * Every step resumes from what is stored, so when the chain, bundler or database is unreachable
 * the whole run simply starts over after a pause, for as long as it takes (or until shutdown).
 */
async function runResuming(run: SubmitRun): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runOnce(run);
    } catch (error) {
      if (error instanceof Shutdown || !isTransient(error)) throw error;
      run.log.warn({ attempt, reason: summarize(error) }, 'a dependency is unreachable; resuming shortly');
      await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt));
      run.checkShutdown();
    }
  }
}

async function runOnce(run: SubmitRun): Promise<void> {
  const { ctx, id } = run;
  let tx = await findTransaction(ctx.db, id);
  if (!tx) return void run.log.warn('job for an unknown transaction; nothing to do');
  if (isTerminal(tx.status)) return;
  const account = await accountOf(ctx, tx);
  await waitForOlderOperations(run, tx, account);

  if (tx.status === 'ACCEPTED') {
    if (await run.expireUnsent(tx)) return;
    if (!(await waitForDeposit(run, tx))) return;
    if (!(await waitForAffordableFees(run, tx))) return;
    tx = (await run.move({ transactionId: id, to: 'SUBMITTING', reason: 'worker picked it up' })) ?? tx;
    // The tracker hears this through the status channel too; in this process, tell it directly.
    ctx.tracker.wake();
  }
  if (isTerminal(tx.status)) return;

  let fresh = false;
  if (!tx.user_op) {
    const stored = await buildAndStore(run, tx, account);
    if (!stored) return;
    tx = stored;
    fresh = true;
    failpoint('after-userop-stored');
  }

  if (tx.status === 'SUBMITTING') {
    const block = await headBeforeSend(ctx);
    // Possibly a re-sponsored operation (its window passed while the bundler was away): what is sent is `tx` after.
    const sending = await sendCurrentUserOperation(run, { tx, account, which: 'original', step: 'send', fresh });
    if (!sending.sent) return;
    tx = sending.tx;
    failpoint('after-userop-sent');
    const now = Date.now();
    const deadline = new Date(now + ctx.config.transactions.inclusionTimeoutSeconds * 1000);
    tx =
      (await run.move({
        transactionId: id,
        to: 'SUBMITTED',
        reason: 'sent to the bundler',
        changes: { submitted_block: block, submitted_at: new Date(now), deadline_at: deadline },
      })) ?? (await run.current());
    failpoint('after-submitted');
    if (isTerminal(tx.status)) return;
  } else if (tx.status === 'SUBMITTED' && !tx.replacement_user_op) {
    // Resumed after a crash or restart: make sure the bundler still has it (re-sponsored if it outlived its window).
    // A bundler took it once, so a refusal now (e.g. underpriced after a fee spike) does not mean it can never
    // execute: it is never FAILED for one; the stall handling re-sends it, re-builds it or replaces it.
    tx = (await sendCurrentUserOperation(run, { tx, account, which: 'original', step: 'send', failTransaction: false })).tx;
    if (isTerminal(tx.status)) return;
  }

  await awaitInclusion(run, { tx, account });
}

/**
 * Up to MAX_PARALLEL_OPS_PER_ACCOUNT operations of a user run at once, each on its own nonce key; the
 * rest wait in accept order. Strictly one after another while the account is not deployed (the oldest
 * one deploys it) and with MAX_PARALLEL_OPS_PER_ACCOUNT=1; mints after the older mints (their nonces
 * are ordered on the token). Only before anything is built: a resumed run goes on with what it stored.
 */
async function waitForOlderOperations(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<void> {
  if (tx.user_op) return;
  const maxParallel = run.ctx.config.transactions.maxParallelPerAccount;
  for (;;) {
    const serial = maxParallel === 1 || !(await account.isDeployed());
    const older = await blockingOlderTransaction(run.ctx.db, tx, { serial, maxParallel });
    if (!older) return;
    run.log.debug({ waitingFor: older }, 'waiting for an older operation of the same user');
    await run.ctx.waiter.waitForTerminal(older, new Date(Date.now() + ORDER_WAIT_MS), run.signal);
    run.checkShutdown();
  }
}

/** The nonce this operation is built with: sequence next on a key no other active operation of the account holds. */
async function nonceFor(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<bigint> {
  const maxParallel = run.ctx.config.transactions.maxParallelPerAccount;
  for (;;) {
    const key = await claimNonceKey(run.ctx.db, { transactionId: tx.id, walletAddress: tx.wallet_address, maxParallel });
    if (key !== undefined) return account.getNonce({ key });
    // Every key held (an older operation resumed meanwhile, or the limit was lowered): wait for one to free.
    await sleep(KEY_WAIT_MS);
    run.checkShutdown();
  }
}

function accountOf(ctx: WorkerContext, tx: Transaction): Promise<UserSmartAccount> {
  return ctx.accounts.get(JSON.stringify([tx.client_id, tx.user_id, tx.wallet_address]), () =>
    toUserSmartAccount(ctx.publicClient, {
      ownerPrivateKey: deriveOwnerPrivateKey(ctx.config.masterKey, { clientId: tx.client_id, userId: tx.user_id }),
      contracts: ctx.config.contracts,
      address: tx.wallet_address as `0x${string}`,
    }),
  );
}

/**
 * A block mined before the operation is (re-)sent, so at or below the block that includes it: where
 * log searches for it start (submitted_block). The tracker's last read head if it is recent, else the node's.
 */
async function headBeforeSend(ctx: WorkerContext): Promise<bigint> {
  const known = ctx.tracker.knownHead();
  if (known && Date.now() - known.seenAt < HEAD_REUSE_MS) return known.block;
  return ctx.publicClient.getBlockNumber({ cacheTime: 0 });
}

/** Builds, sponsors and signs the UserOperation and stores it; undefined when the transaction ended. */
async function buildAndStore(run: SubmitRun, tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
  const { ctx, id } = run;
  const operation = definitionOf(tx.type);
  let calls;
  try {
    calls = operation.buildCalls(operationContracts(ctx.config, tx.token_address), operation.parseParams(tx.params));
  } catch (error) {
    if (!(error instanceof InvalidParamsError)) throw error;
    await run.fail({ kind: 'refused', code: 'BUNDLER_REJECTED', message: error.message }, 'INVALID_OPERATION');
    return undefined;
  }
  // Fees can rise past MAX_FEE_PER_GAS_GWEI between the ACCEPTED check and here: then it waits here.
  const signed = await signWithinFeeCap(run, () =>
    run.withRetries({
      step: 'prepare',
      run: async () => {
        if (await run.expireUnsent(tx)) return undefined;
        const nonce = await nonceFor(run, tx, account);
        return prepareSignedUserOperation(ctx.userOps, {
          account,
          chainId: ctx.config.chain.chainId,
          calls,
          nonce,
          maxFeePerGasCap: ctx.config.fees.maxFeePerGasWei,
        });
      },
    }),
  );
  if (!signed.ok || !signed.value) return undefined;
  const stored = await storeUserOperation(ctx.db, { transactionId: id, userOp: signed.value.userOp, userOpHash: signed.value.hash });
  // Lost a race with another run of this job: use what it stored.
  return stored ?? (await findTransaction(ctx.db, id));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isTransient(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isRpcUnavailable(error);
}
