// chronos.transactions: read one, wait for one, or walk the client's transactions page by page.
import { unwrap, type ApiClient } from './api-client.js';
import { retryAfterSeconds } from './errors.js';
import type { TransactionFilter, TransactionListItem, TransactionStatus } from './types.js';
import { waitForTransaction, type WaitOptions } from './wait.js';
import type { TransactionReader } from './transaction.js';
import type { WebhookHandover } from './webhook-handover.js';

export class Transactions implements TransactionReader {
  constructor(
    private readonly api: ApiClient,
    private readonly handover: WebhookHandover,
  ) {}

  async get(transactionId: string, { signal }: { signal?: AbortSignal } = {}): Promise<TransactionStatus> {
    return (await this.read(transactionId, signal)).status;
  }

  wait(transactionId: string, options?: WaitOptions): Promise<TransactionStatus> {
    return waitForTransaction(transactionId, (signal) => this.read(transactionId, signal), this.handover, options);
  }

  /**
   * Every transaction matching `filter`, newest first, fetching the next page (`limit` per request,
   * default 100) only when the loop reaches it. Rows created while iterating do not shift the pages.
   */
  async *list(filter: TransactionFilter = {}, { signal }: { signal?: AbortSignal } = {}): AsyncGenerator<TransactionListItem, void, undefined> {
    let cursor: string | undefined;
    do {
      const query = { limit: 100, ...filter, ...(cursor && { cursor }) };
      const { data } = unwrap(await this.api.GET('/api/v1/transactions', { params: { query }, signal }));
      yield* data.data.transactions;
      cursor = data.data.hasMore ? (data.data.cursor ?? undefined) : undefined;
    } while (cursor);
  }

  private async read(transactionId: string, signal?: AbortSignal): Promise<{ status: TransactionStatus; retryAfter?: number }> {
    const { data, response } = unwrap(await this.api.GET('/api/v1/transactions/{transactionId}', { params: { path: { transactionId } }, signal }));
    return { status: data, retryAfter: retryAfterSeconds(response.headers) };
  }
}
