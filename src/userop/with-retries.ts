// How a bundler or paymaster step is retried: an unreachable part for as long as it takes (or until
// shutdown), a refusal a few times (state may change, e.g. a previous operation lands) before the
// transaction ends FAILED, and a failure that is no answer from a remote part (a bug) not at all.
import type { Logger } from '../observability/logger.js';
import { classifyUserOpError, type FailureUrls, type UserOpFailure } from './errors.js';

/** Refusals are retried this often (state may change, e.g. a previous operation lands) before FAILED. */
export const REFUSAL_ATTEMPTS = 3;
export const MAX_BACKOFF_MS = 5_000;
const REFUSAL_RETRY_MS = 300;
/** How often an operation refused for its window is tried again while the chain says the window is still open. */
const EXPIRING_RETRY_MS = 1_000;
const JITTER_MS = 100;

export type RefusedFailure = Extract<UserOpFailure, { kind: 'refused' }>;

/** Which failures of a step count as success (e.g. "already known" for a send). */
export type AcceptFailure = (failure: UserOpFailure) => boolean;

export type RetryDecision =
  | { action: 'throw' }
  | { action: 'accept' }
  | { action: 'give-up'; failure: RefusedFailure }
  /**
   * `thenCheckEnded`: after the pause, stop if the transaction ended meanwhile (a part was down, someone
   * else may have finished it) or the operation's sponsorship provably passed (`outlived`).
   */
  | { action: 'retry'; delayMs: number; thenCheckEnded: boolean };

/**
 * What to do after the attempt numbered `attempt` (from 0) failed with `failure`, `refusals` refusals
 * having come before it. The pause leaves out the jitter added to it.
 */
export function decideAfterFailure(
  failure: UserOpFailure,
  {
    attempt,
    refusals,
    accept,
    canOutlive = false,
  }: {
    attempt: number;
    refusals: number;
    accept?: AcceptFailure;
    /** The step can tell when its operation's window has passed (our own paymaster): an expiry refusal waits for that. */
    canOutlive?: boolean;
  },
): RetryDecision {
  if (failure.kind === 'unexpected') return { action: 'throw' };
  if (accept?.(failure)) return { action: 'accept' };
  // Refused for a window the chain still holds open (a bundler reads its own clock, with a margin):
  // never FAILED for it; tried again until it is taken or the window provably passed.
  if (canOutlive && failure.kind === 'refused' && failure.expiresSoon) return { action: 'retry', delayMs: EXPIRING_RETRY_MS, thenCheckEnded: true };
  if (failure.kind === 'refused' && refusals + 1 >= REFUSAL_ATTEMPTS) return { action: 'give-up', failure };
  const delayMs = failure.kind === 'refused' ? REFUSAL_RETRY_MS : Math.min(MAX_BACKOFF_MS, 200 * 2 ** attempt);
  return { action: 'retry', delayMs, thenCheckEnded: failure.kind === 'unavailable' };
}

/** What retrying needs from the run it belongs to. */
export type RetryContext = {
  urls: FailureUrls;
  log: Logger;
  /** Throws when the run must stop (the worker is shutting down). */
  checkShutdown(): void;
  /** Whether the transaction ended meanwhile. */
  ended(): Promise<boolean>;
  /** Ends the transaction FAILED after a refusal that did not go away. */
  fail(failure: RefusedFailure): Promise<void>;
};

export type WithRetriesParameters<T> = {
  step: string;
  run: () => Promise<T>;
  accept?: AcceptFailure;
  /** false: a refusal that does not go away ends the step only, not the transaction. */
  failTransaction?: boolean;
  /**
   * Asked once a refusal would end the step: whether what the step was for has happened anyway (a
   * re-sent operation the chain already included is refused, e.g. AA10 for its spent initCode).
   * True makes the step a success.
   */
  doneAnyway?: () => Promise<boolean>;
  /**
   * Whether the operation this step sends can provably never be included any more (its sponsorship
   * window passed by the chain's clock, its nonce unused): asked after a refusal for the window and
   * after an outage. True ends the step with `outlived`, for the caller to re-sponsor.
   */
  outlived?: () => Promise<boolean>;
};

/** ok with the value, or ok without one when a failure was accepted; not ok when the step gave up or the transaction ended. */
export type RetryResult<T> = { ok: true; value?: T } | { ok: false; outlived?: true };

/** Runs a bundler/paymaster step until it succeeds, gives up, or (an unexpected failure, or shutdown) throws. */
export async function withRetries<T>(
  ctx: RetryContext,
  { step, run, accept, failTransaction = true, doneAnyway, outlived }: WithRetriesParameters<T>,
): Promise<RetryResult<T>> {
  let refusals = 0;
  for (let attempt = 0; ; attempt++) {
    ctx.checkShutdown();
    try {
      return { ok: true, value: await run() };
    } catch (error) {
      const failure = classifyUserOpError(error, ctx.urls);
      const canOutlive = outlived !== undefined;
      const decision = decideAfterFailure(failure, { attempt, refusals, accept, canOutlive });
      // A refusal for the window is waited out, not counted towards FAILED.
      if (failure.kind === 'refused' && !(canOutlive && failure.expiresSoon)) refusals++;
      if (decision.action === 'throw') throw error;
      if (decision.action === 'accept') return { ok: true };
      if (decision.action === 'give-up') {
        if (await doneAnyway?.()) {
          ctx.log.info({ step, failure }, 'refused, but what it was for has already happened on-chain');
          return { ok: true };
        }
        ctx.log.warn({ step, failure }, 'operation refused');
        if (failTransaction) await ctx.fail(decision.failure);
        return { ok: false };
      }
      ctx.log.warn({ step, failure, attempt }, 'step failed; retrying');
      await sleep(decision.delayMs + Math.floor(Math.random() * JITTER_MS));
      if (decision.thenCheckEnded && (await ctx.ended())) return { ok: false };
      if (decision.thenCheckEnded && (await outlived?.())) return { ok: false, outlived: true };
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
