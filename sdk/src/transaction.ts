// What a write returns: the accepted transaction, to read or wait on.
import type { TransactionAccepted, TransactionStatus } from './types.js';
import type { WaitOptions } from './wait.js';

export type TransactionReader = {
  get(transactionId: string, options?: { signal?: AbortSignal }): Promise<TransactionStatus>;
  wait(transactionId: string, options?: WaitOptions): Promise<TransactionStatus>;
};

export class Transaction {
  readonly transactionId: string;
  /** The status of the 202 (always ACCEPTED: read `status()` or `wait()` for later ones). */
  readonly acceptedStatus: TransactionAccepted['status'];
  /** True when the API answered with the 202 of an earlier request with the same idempotency key. */
  readonly replayed: boolean;
  /** The key this write was sent with: send it again to be sure of reaching the same transaction. */
  readonly idempotencyKey: string | undefined;

  constructor(
    accepted: TransactionAccepted,
    { replayed, idempotencyKey }: { replayed: boolean; idempotencyKey?: string },
    private readonly reader: TransactionReader,
  ) {
    this.transactionId = accepted.transactionId;
    this.acceptedStatus = accepted.status;
    this.replayed = replayed;
    this.idempotencyKey = idempotencyKey;
  }

  status(options?: { signal?: AbortSignal }): Promise<TransactionStatus> {
    return this.reader.get(this.transactionId, options);
  }

  wait(options?: WaitOptions): Promise<TransactionStatus> {
    return this.reader.wait(this.transactionId, options);
  }
}
