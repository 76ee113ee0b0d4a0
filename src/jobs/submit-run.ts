// One run of submit_transaction for one transaction: what its phases share (submit-transaction.ts
// up to SUBMITTED, await-inclusion.ts after) — the moves of its status, how it ends FAILED or EXPIRED,
// and the retry policy its bundler and paymaster steps run under.
import type { JobHelpers } from 'graphile-worker';
import { findTransaction } from '../db/transactions.js';
import type { Transaction } from '../db/schema.js';
import { isTerminal } from '../status/machine.js';
import { transitionTransaction, type TransitionParameters } from '../status/transition.js';
import { runUnitOfWork } from '../status/unit-of-work.js';
import { definitionOf } from '../operations/index.js';
import type { UserOpFailure } from '../userop/errors.js';
import { sendIdempotently, type SendOutcome } from '../userop/send.js';
import { paymasterUrlOf } from '../userop/sponsorship/mode.js';
import { withRetries, type RetryContext, type RetryResult, type WithRetriesParameters } from '../userop/with-retries.js';
import { failpoint } from '../observability/failpoints.js';
import type { Logger } from '../observability/logger.js';
import type { WorkerContext } from '../worker/context.js';

/** The worker is stopping: the run ends here and the job resumes from what is stored. */
export class Shutdown extends Error {}

export type SubmitRun = {
  ctx: WorkerContext;
  id: string;
  log: Logger;
  signal?: AbortSignal;
  checkShutdown(): void;
  /** The transaction as stored now (it exists: the job found it). */
  current(): Promise<Transaction>;
  /** A status move, in a unit of work: a terminal status's webhook is sent by this process at commit. */
  move(p: TransitionParameters): Promise<Transaction | undefined>;
  /** Ends the transaction FAILED with `code`, or EXPIRED if it is past its expiry block. */
  fail(failure: UserOpFailure, code: string): Promise<void>;
  /** Ends an operation that was never sent EXPIRED if it is past its expiry block; true if it did. */
  expireUnsent(tx: Transaction): Promise<boolean>;
  retry: RetryContext;
  withRetries<T>(p: WithRetriesParameters<T>): Promise<RetryResult<T>>;
  /**
   * Sends (or re-sends) a stored UserOperation to the bundler under the retry policy (userop/send.ts).
   * Callers go through re-sponsor.ts (sendCurrentUserOperation), which passes `outlived` for our own paymaster.
   */
  send(p: { step: string; userOp: Record<string, string>; failTransaction?: boolean; outlived?: () => Promise<boolean> }): Promise<SendOutcome>;
};

/** The expiry block of an operation whose type can expire, with the words its definition ends it with. */
export function expiryOf(tx: Transaction) {
  const expiry = definitionOf(tx.type).expiry;
  return expiry && tx.expiry_block !== null ? { ...expiry, block: tx.expiry_block } : undefined;
}

export function createSubmitRun(ctx: WorkerContext, helpers: JobHelpers, id: string): SubmitRun {
  const log = ctx.logger.child({ transactionId: id, jobId: helpers.job.id });
  const signal = helpers.abortSignal;
  const current = async () => (await findTransaction(ctx.db, id))!;

  const checkShutdown = () => {
    if (signal?.aborted) throw new Shutdown('worker is shutting down; the job will resume');
  };

  const move = async (p: TransitionParameters) => {
    const moved = await runUnitOfWork(ctx, (unit) => transitionTransaction(unit, p));
    if (moved && isTerminal(moved.status)) failpoint('after-terminal-status');
    return moved;
  };

  /**
   * An operation past its expiry block that the bundler never took can never execute: it ends EXPIRED
   * rather than being sent (or, if refused, FAILED).
   */
  const expireUnsent = async (tx: Transaction) => {
    const expiry = expiryOf(tx);
    if (!expiry) return false;
    if ((await ctx.publicClient.getBlockNumber({ cacheTime: 0 })) <= BigInt(expiry.block)) return false;
    await move({
      transactionId: id,
      to: 'EXPIRED',
      reason: expiry.unsentReason,
      changes: { error_code: expiry.errorCode, error_message: expiry.unsentMessage(expiry.block) },
    });
    return true;
  };

  const fail = async (failure: UserOpFailure, code: string) => {
    if (await expireUnsent(await current())) return;
    await move({ transactionId: id, to: 'FAILED', reason: `refused: ${code}`, changes: { error_code: code, error_message: failure.message } });
  };

  const retry: RetryContext = {
    urls: { bundlerUrl: ctx.config.chain.bundlerUrl, bundlerUrls: ctx.config.chain.bundlerUrls, paymasterUrl: paymasterUrlOf(ctx.config.sponsorship) },
    log,
    checkShutdown,
    ended: async () => isTerminal((await current()).status),
    fail: (failure) => fail(failure, failure.code),
  };

  const send: SubmitRun['send'] = (p) => sendIdempotently(ctx.userOps, { ...p, retry, entryPoint: ctx.config.contracts.entryPoint });

  return { ctx, id, log, signal, checkShutdown, current, move, fail, expireUnsent, retry, withRetries: (p) => withRetries(retry, p), send };
}
