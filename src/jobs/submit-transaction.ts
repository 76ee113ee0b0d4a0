// submit_transaction: drives one accepted transaction to a terminal status.
//   ACCEPTED → SUBMITTING → (build, sponsor, sign, STORE, send) → SUBMITTED → wait for inclusion
// A retried or recovered job resumes from what is stored: it re-sends the stored UserOperation and
// never builds a second one while the first could still be included. Past the deadline, a no-op
// UserOperation with the same nonce makes the original impossible to include (→ EXPIRED).
import type { JobHelpers, Task } from 'graphile-worker';
import { sql } from 'kysely';
import { findTransaction } from '../db/transactions.js';
import { storeUserOperation, storeReplacementUserOperation } from '../db/transactions.js';
import type { Transaction } from '../db/schema.js';
import { isTerminal } from '../status/machine.js';
import { transitionTransaction, type TransitionParameters } from '../status/transition.js';
import { definitionOf } from '../operations/index.js';
import { InvalidParamsError } from '../operations/types.js';
import { operationContracts } from '../operations/contracts.js';
import { deriveOwnerPrivateKey } from '../accounts/derive-owner.js';
import { toUserSmartAccount, type UserSmartAccount } from '../accounts/smart-account.js';
import { prepareSignedUserOperation } from '../userop/prepare.js';
import { sendStoredUserOperation } from '../userop/send.js';
import { isNonceUsed } from '../userop/nonce.js';
import { classifyUserOpError, summarize, type UserOpFailure } from '../userop/errors.js';
import { isDatabaseUnavailable, isRpcUnavailable } from '../dependency-errors.js';
import { failpoint } from '../observability/failpoints.js';
import { TRACKER_CURSOR } from '../tracking/inclusion-tracker.js';
import { settleFromLogs } from '../tracking/find-inclusion.js';
import { flagStalledTransaction } from '../status/stall.js';
import type { WorkerContext } from '../worker/context.js';
import { olderActiveTransaction } from './ordering.js';

export type SubmitTransactionPayload = { transactionId: string };

export function assertSubmitTransactionPayload(payload: unknown): asserts payload is SubmitTransactionPayload {
  if (typeof (payload as SubmitTransactionPayload | null)?.transactionId !== 'string') {
    throw new Error(`submit_transaction payload must be { transactionId: string }, got ${JSON.stringify(payload)}`);
  }
}

/** Refusals are retried this often (state may change, e.g. a previous operation lands) before FAILED. */
const REFUSAL_ATTEMPTS = 3;
const MAX_BACKOFF_MS = 5_000;
/** How long after sending a replacement we wait before sending it again. */
const REPLACEMENT_WAIT_MS = 10_000;
/** How old the tracker's last head may be to stand for "a block before the send" (older only widens searches). */
const HEAD_REUSE_MS = 5_000;

class Shutdown extends Error {}

export function submitTransaction(ctx: WorkerContext): Task {
  return async (payload, helpers) => {
    assertSubmitTransactionPayload(payload);
    await new SubmitRun(ctx, helpers, payload.transactionId).run();
  };
}

class SubmitRun {
  private readonly log;
  constructor(
    private readonly ctx: WorkerContext,
    private readonly helpers: JobHelpers,
    private readonly id: string,
  ) {
    this.log = ctx.logger.child({ transactionId: id, jobId: helpers.job.id });
  }

  /**
   * Every step resumes from what is stored, so when the chain, bundler or database is unreachable
   * the whole run simply starts over after a pause, for as long as it takes (or until shutdown).
   */
  async run(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runOnce();
      } catch (error) {
        if (error instanceof Shutdown || !isTransient(error)) throw error;
        this.log.warn({ attempt, reason: summarize(error) }, 'a dependency is unreachable; resuming shortly');
        await sleep(Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt));
        this.checkShutdown();
      }
    }
  }

  private async runOnce(): Promise<void> {
    let tx = await findTransaction(this.ctx.db, this.id);
    if (!tx) return void this.log.warn('job for an unknown transaction; nothing to do');
    if (isTerminal(tx.status)) return;
    await this.waitForOlderOperations(tx);

    if (tx.status === 'ACCEPTED') {
      if (await this.expireUnsentMint(tx)) return;
      tx = (await this.move({ transactionId: this.id, to: 'SUBMITTING', reason: 'worker picked it up' })) ?? tx;
      // The tracker hears this through the status channel too; in this process, tell it directly.
      this.ctx.tracker.wake();
    }
    if (isTerminal(tx.status)) return;
    const account = await this.account(tx);

    if (!tx.user_op) {
      const stored = await this.buildAndStore(tx, account);
      if (!stored) return;
      tx = stored;
      failpoint('after-userop-stored');
    }

    if (tx.status === 'SUBMITTING') {
      const block = await this.headBeforeSend();
      const sent = await this.sendOrFail(tx.user_op!);
      if (!sent) return;
      failpoint('after-userop-sent');
      const now = Date.now();
      const deadline = new Date(now + this.ctx.config.transactions.inclusionTimeoutSeconds * 1000);
      tx =
        (await this.move({
          transactionId: this.id,
          to: 'SUBMITTED',
          reason: 'sent to the bundler',
          changes: { submitted_block: block, submitted_at: new Date(now), deadline_at: deadline },
        })) ?? (await findTransaction(this.ctx.db, this.id))!;
      failpoint('after-submitted');
      if (isTerminal(tx.status)) return;
    } else if (tx.status === 'SUBMITTED' && !tx.replacement_user_op) {
      // Resumed after a crash or restart: make sure the bundler still has it.
      await this.sendOrFail(tx.user_op!);
    }

    await this.awaitInclusion(tx, account);
  }

  /** A user's operations run in the order they were accepted (mint nonces, account deployment). */
  private async waitForOlderOperations(tx: Transaction): Promise<void> {
    for (;;) {
      const older = await olderActiveTransaction(this.ctx.db, tx);
      if (!older) return;
      this.log.debug({ waitingFor: older }, 'waiting for an older operation of the same user');
      await this.ctx.waiter.waitForTerminal(older, new Date(Date.now() + 5_000), this.helpers.abortSignal);
      this.checkShutdown();
    }
  }

  /**
   * A mint past its expiryBlock that the bundler never took can never execute: it ends EXPIRED
   * rather than being sent (or, if refused, FAILED).
   */
  private async expireUnsentMint(tx: Transaction): Promise<boolean> {
    if (tx.type !== 'mint' || tx.expiry_block === null) return false;
    if ((await this.ctx.publicClient.getBlockNumber({ cacheTime: 0 })) <= BigInt(tx.expiry_block)) return false;
    await this.move({
      transactionId: this.id,
      to: 'EXPIRED',
      reason: 'mint authorization expired before the bundler took it',
      changes: { error_code: 'MINT_EXPIRED', error_message: `expiryBlock ${tx.expiry_block} passed before the mint could be submitted` },
    });
    return true;
  }

  private account(tx: Transaction): Promise<UserSmartAccount> {
    return this.ctx.accounts.get(JSON.stringify([tx.client_id, tx.user_id, tx.wallet_address]), () =>
      toUserSmartAccount(this.ctx.publicClient, {
        ownerPrivateKey: deriveOwnerPrivateKey(this.ctx.config.masterKey, { clientId: tx.client_id, userId: tx.user_id }),
        contracts: this.ctx.config.contracts,
        address: tx.wallet_address as `0x${string}`,
      }),
    );
  }

  /**
   * A block mined before the operation is (re-)sent, so at or below the block that includes it: where
   * log searches for it start (submitted_block). The tracker's last read head if it is recent, else the node's.
   */
  private async headBeforeSend(): Promise<bigint> {
    const known = this.ctx.tracker.knownHead();
    if (known && Date.now() - known.seenAt < HEAD_REUSE_MS) return known.block;
    return this.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
  }

  /** Builds, sponsors and signs the UserOperation and stores it; undefined when the transaction ended. */
  private async buildAndStore(tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
    const operation = definitionOf(tx.type);
    let calls;
    try {
      calls = operation.buildCalls(operationContracts(this.ctx.config, tx.token_address), operation.parseParams(tx.params));
    } catch (error) {
      if (!(error instanceof InvalidParamsError)) throw error;
      await this.fail({ kind: 'refused', code: 'BUNDLER_REJECTED', message: error.message }, 'INVALID_OPERATION');
      return undefined;
    }
    const signed = await this.withRetries('prepare', async () => {
      if (await this.expireUnsentMint(tx)) return undefined;
      return prepareSignedUserOperation(this.ctx.userOps, { account, chainId: this.ctx.config.chain.chainId, calls });
    });
    if (!signed.ok || !signed.value) return undefined;
    const stored = await storeUserOperation(this.ctx.db, { transactionId: this.id, userOp: signed.value.userOp, userOpHash: signed.value.hash });
    // Lost a race with another run of this job: use what it stored.
    return stored ?? (await findTransaction(this.ctx.db, this.id));
  }

  /** Sends the stored operation; false when the transaction ended FAILED instead. */
  private async sendOrFail(userOp: Record<string, string>): Promise<boolean> {
    const result = await this.withRetries(
      'send',
      () => sendStoredUserOperation(this.ctx.userOps, { userOp, entryPoint: this.ctx.config.contracts.entryPoint }),
      {
        // The bundler already has it, or it was already included: both mean "sent".
        accept: (f) => f.kind === 'already-known' || f.kind === 'nonce-used',
      },
    );
    return result.ok;
  }

  /**
   * Waits for the tracker to settle the transaction. Not included after STALLED_AFTER_SECONDS: flagged
   * and re-sent. Past the deadline: replaced with a no-op, so that it ends one way or the other.
   */
  private async awaitInclusion(tx: Transaction, account: UserSmartAccount): Promise<void> {
    for (;;) {
      const deadline = await this.effectiveDeadline(tx);
      const stallAt = this.stallTime(tx);
      const wakeAt = stallAt && stallAt < deadline ? stallAt : deadline;
      const done = await this.ctx.waiter.waitForTerminal(this.id, wakeAt, this.helpers.abortSignal);
      if (done) return;
      this.checkShutdown();
      const current = (await findTransaction(this.ctx.db, this.id))!;
      if (isTerminal(current.status)) return;
      if (stallAt && Date.now() >= stallAt.getTime()) {
        tx = (await this.handleStall(current)) ?? current;
        continue;
      }
      if (Date.now() < deadline.getTime()) {
        tx = current;
        continue;
      }
      tx = (await this.replace(current, account)) ?? current;
      if (isTerminal(tx.status)) return;
    }
  }

  private stallTime(tx: Transaction): Date | undefined {
    if (tx.stalled_at || tx.replacement_user_op || !tx.submitted_at) return undefined;
    return new Date(new Date(tx.submitted_at).getTime() + this.ctx.config.transactions.stalledAfterSeconds * 1000);
  }

  /** Flags the stall with why (does the bundler still hold it?), then re-sends the stored operation. */
  private async handleStall(tx: Transaction): Promise<Transaction | undefined> {
    const after = this.ctx.config.transactions.stalledAfterSeconds;
    const held = await this.ctx.userOps.bundler.request({ method: 'eth_getUserOperationByHash', params: [tx.user_op_hash as `0x${string}`] }).then(
      (op): 'held' | 'dropped' => (op ? 'held' : 'dropped'),
      (): 'unknown' => 'unknown',
    );
    const reason = {
      held: `not included after ${after}s although the bundler holds it (congestion or fees); re-sent, and replaced by a no-op at the deadline if still pending`,
      dropped: `not included after ${after}s and no longer known to the bundler (dropped); re-sent`,
      unknown: `not included after ${after}s; the bundler could not say whether it holds it; re-sent`,
    }[held];
    const flagged = await flagStalledTransaction(this.ctx.db, { transactionId: this.id, reason });
    if (flagged) this.log.warn({ userOpHash: tx.user_op_hash, reason, stalledAfterSeconds: after }, 'transaction stalled');
    await this.withRetries(
      're-send after stall',
      () =>
        sendStoredUserOperation(this.ctx.userOps, {
          userOp: tx.user_op!,
          entryPoint: this.ctx.config.contracts.entryPoint,
        }),
      { accept: (f) => f.kind === 'already-known' || f.kind === 'nonce-used', failTransaction: false },
    );
    return findTransaction(this.ctx.db, this.id);
  }

  private async effectiveDeadline(tx: Transaction): Promise<Date> {
    const byTime = tx.deadline_at ?? new Date(Date.now() + this.ctx.config.transactions.inclusionTimeoutSeconds * 1000);
    if (tx.replacement_user_op) return new Date(Math.max(Date.now(), tx.updated_at.valueOf()) + REPLACEMENT_WAIT_MS);
    if (tx.type === 'mint' && tx.expiry_block !== null) {
      // Past expiryBlock a mint cannot succeed any more: no point waiting for the time deadline.
      const tracked = await this.ctx.db.selectFrom('chain_cursors').select('block').where('name', '=', TRACKER_CURSOR).executeTakeFirst();
      if (tracked && BigInt(tracked.block) > BigInt(tx.expiry_block)) return new Date();
      return new Date(Math.min(byTime.getTime(), Date.now() + 2_000));
    }
    return byTime;
  }

  /**
   * Sends (or re-sends) a no-op UserOperation with the original's nonce and higher fees. Once it is
   * included the original can never be; the tracker then ends the transaction EXPIRED.
   */
  private async replace(tx: Transaction, account: UserSmartAccount): Promise<Transaction | undefined> {
    const nonce = BigInt(tx.user_op!.nonce);
    if (await isNonceUsed(this.ctx.publicClient, { entryPoint: this.ctx.config.contracts.entryPoint, sender: account.address, nonce })) {
      // The nonce is spent: by the original or by our replacement. Find which and settle now.
      const hashes = [tx.user_op_hash, tx.replacement_user_op_hash].filter((h): h is `0x${string}` => !!h);
      await settleFromLogs(this.ctx, { hashes, fromBlock: BigInt(tx.submitted_block ?? 0) });
      return findTransaction(this.ctx.db, this.id);
    }
    if (!tx.replacement_user_op) {
      this.log.warn({ deadline: tx.deadline_at }, 'not included by its deadline; sending a no-op replacement');
      const signed = await this.withRetries(
        'prepare replacement',
        () =>
          prepareSignedUserOperation(this.ctx.userOps, {
            account,
            chainId: this.ctx.config.chain.chainId,
            callData: '0x',
            nonce,
            feeBumpPercent: 50,
          }),
        { failTransaction: false },
      );
      if (!signed.ok || !signed.value) return undefined;
      tx =
        (await storeReplacementUserOperation(this.ctx.db, { transactionId: this.id, userOp: signed.value.userOp, userOpHash: signed.value.hash }))
        ?? (await findTransaction(this.ctx.db, this.id))!;
      if (isTerminal(tx.status) || !tx.replacement_user_op) return tx;
      failpoint('after-replacement-stored');
    }
    await this.withRetries(
      'send replacement',
      () =>
        sendStoredUserOperation(this.ctx.userOps, {
          userOp: tx.replacement_user_op!,
          entryPoint: this.ctx.config.contracts.entryPoint,
        }),
      { accept: (f) => f.kind === 'already-known' || f.kind === 'nonce-used', failTransaction: false },
    );
    failpoint('after-replacement-sent');
    await this.ctx.db.updateTable('transactions').set({ updated_at: sql`now()` }).where('id', '=', this.id).execute();
    return findTransaction(this.ctx.db, this.id);
  }

  /**
   * Runs a bundler/paymaster step: unavailable parts are retried with capped backoff for as long as it
   * takes (or until shutdown); refusals a few times, then the transaction ends FAILED.
   */
  private async withRetries<T>(
    step: string,
    fn: () => Promise<T>,
    options: {
      accept?: (failure: UserOpFailure) => boolean;
      failTransaction?: boolean;
    } = {},
  ): Promise<{ ok: true; value?: T } | { ok: false }> {
    let refusals = 0;
    for (let attempt = 0; ; attempt++) {
      this.checkShutdown();
      try {
        return { ok: true, value: await fn() };
      } catch (error) {
        const failure = classifyUserOpError(error, this.ctx.config.chain);
        if (failure.kind === 'unexpected') throw error;
        if (options.accept?.(failure)) return { ok: true };
        if (failure.kind === 'refused' && ++refusals >= REFUSAL_ATTEMPTS) {
          this.log.warn({ step, failure }, 'operation refused');
          if (options.failTransaction !== false) await this.fail(failure, failure.code);
          return { ok: false };
        }
        this.log.warn({ step, failure, attempt }, 'step failed; retrying');
        const delay = failure.kind === 'refused' ? 300 : Math.min(MAX_BACKOFF_MS, 200 * 2 ** attempt);
        await sleep(delay + Math.floor(Math.random() * 100));
        if (failure.kind === 'unavailable' && (await this.ended())) return { ok: false };
      }
    }
  }

  private async ended(): Promise<boolean> {
    return isTerminal((await findTransaction(this.ctx.db, this.id))!.status);
  }

  private async fail(failure: UserOpFailure, code: string): Promise<void> {
    const tx = (await findTransaction(this.ctx.db, this.id))!;
    if (await this.expireUnsentMint(tx)) return;
    await this.move({ transactionId: this.id, to: 'FAILED', reason: `refused: ${code}`, changes: { error_code: code, error_message: failure.message } });
  }

  private async move(p: TransitionParameters): Promise<Transaction | undefined> {
    const moved = await this.ctx.db.transaction().execute((trx) => transitionTransaction(trx, p));
    if (moved && isTerminal(moved.status)) failpoint('after-terminal-status');
    return moved;
  }

  private checkShutdown(): void {
    if (this.helpers.abortSignal?.aborted) throw new Shutdown('worker is shutting down; the job will resume');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isTransient(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isRpcUnavailable(error);
}
