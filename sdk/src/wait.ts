// tx.wait(): polls as often as the server's Retry-After says, stops at the terminal (immutable)
// answer, wakes early for a handed-over webhook, and returns by its deadline with the latest status.
import { ChronosError } from './errors.js';
import { sleep } from './sleep.js';
import { isTerminal, type TransactionStatus } from './types.js';
import type { WebhookHandover } from './webhook-handover.js';

export type WaitOptions = {
  /** Returns by then with the status last read, terminal or not (default 120 s). */
  timeoutMs?: number;
  /** Aborting rejects the wait with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Polls no more often than this even when Retry-After says sooner: with webhooks handed over
   * (`chronos.handleWebhook`), a long interval leaves polling as the fallback for a lost delivery.
   */
  minPollIntervalMs?: number;
};

export const DEFAULT_WAIT_TIMEOUT_MS = 120_000;
/** When an answer carries no Retry-After although it is not terminal (it always should). */
const FALLBACK_POLL_MS = 1000;

export type Poll = (signal: AbortSignal) => Promise<{ status: TransactionStatus; retryAfter?: number }>;

export async function waitForTransaction(
  transactionId: string,
  poll: Poll,
  handover: WebhookHandover,
  { timeoutMs = DEFAULT_WAIT_TIMEOUT_MS, signal, minPollIntervalMs = 0 }: WaitOptions = {},
): Promise<TransactionStatus> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = signal ? AbortSignal.any([signal, deadline]) : deadline;
  let last: TransactionStatus | undefined;
  for (;;) {
    const webhook = handover.watch(transactionId);
    try {
      const answer = await poll(stop);
      last = answer.status;
      if (isTerminal(last.status)) return last;
      const retryAfterMs = answer.retryAfter === undefined ? FALLBACK_POLL_MS : answer.retryAfter * 1000;
      await sleep(Math.max(retryAfterMs, minPollIntervalMs), AbortSignal.any([stop, webhook.signal]));
    } catch (error) {
      // A poll cut off by the deadline or the caller ends the wait below. An outage outlasting the
      // transport's retries is waited out while a status is known; anything else (a 404, a refused
      // token) is the caller's to see.
      if (!stop.aborted) {
        if (!last || !isTransient(error)) throw error;
        await sleep(FALLBACK_POLL_MS, stop);
      }
    } finally {
      webhook.release();
    }
    if (signal?.aborted) throw signal.reason;
    if (deadline.aborted) {
      if (last) return last;
      throw new ChronosError(`no status of ${transactionId} could be read within ${timeoutMs} ms`, { code: 'TIMEOUT' });
    }
  }
}

function isTransient(error: unknown): boolean {
  return error instanceof ChronosError && (error.status === undefined || error.status === 429 || error.status >= 500);
}
