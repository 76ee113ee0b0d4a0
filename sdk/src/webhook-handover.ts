// Webhooks a receiver hands to the SDK wake the waits on their transactions, so a wait ends as soon as
// Chronos reports the outcome instead of at its next poll.
import type { WebhookEvent } from './types.js';

const TERMINAL_EVENTS = new Set(['transaction.confirmed', 'transaction.reverted', 'transaction.failed', 'transaction.expired']);

export class WebhookHandover {
  private readonly waiting = new Map<string, Set<() => void>>();

  /** Wakes the waits on the event's transaction when the event is a terminal one; others are ignored. */
  handOver(event: WebhookEvent): void {
    const transactionId = event.data?.transactionId;
    if (!transactionId || !TERMINAL_EVENTS.has(event.event)) return;
    for (const wake of this.waiting.get(transactionId) ?? []) wake();
  }

  /** An AbortSignal that aborts when a terminal webhook for the transaction is handed over; `release` when done. */
  watch(transactionId: string): { signal: AbortSignal; release(): void } {
    const controller = new AbortController();
    const wake = () => controller.abort();
    const set = this.waiting.get(transactionId) ?? new Set();
    this.waiting.set(transactionId, set.add(wake));
    return {
      signal: controller.signal,
      release: () => {
        set.delete(wake);
        if (set.size === 0) this.waiting.delete(transactionId);
      },
    };
  }
}
