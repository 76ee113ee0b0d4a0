// chronos.user(id).payments: escrowed payments and withdrawals from one user's account; and
// chronos.payments: the client-wide reads (an intent, the client's tokens). Every move is a write like
// any other (an idempotency key per call, reused on each retry) that returns a Transaction to wait on.
import { unwrap, type ApiClient } from './api-client.js';
import { Transaction, type TransactionReader } from './transaction.js';
import type {
  EscrowMoveRequest,
  GasEstimate,
  GasEstimateRequest,
  PaymentIntent,
  PaymentIntentCreated,
  PaymentIntentRequest,
  PaymentToken,
  TransactionAccepted,
  WithdrawalRequest,
} from './types.js';

type Idempotent = { idempotencyKey?: string };
type Header = { 'X-User-Id': string; 'X-Idempotency-Key': string };
type Sent<Data> = Promise<{ data?: Data; error?: unknown; response: Response }>;

/** What creating an intent returns: the intent's ids and status, and its funding (absent with `fund: false`). */
export type CreatedIntent = PaymentIntentCreated & { funding?: Transaction };

export class UserPayments {
  constructor(
    readonly userId: string,
    private readonly api: ApiClient,
    private readonly transactions: TransactionReader,
  ) {}

  /** Records an intent paid by this user and (unless `fund: false`) funds its escrow in the same operation. */
  async createIntent({ idempotencyKey, ...body }: PaymentIntentRequest & Idempotent): Promise<CreatedIntent> {
    const { data, key, replayed } = await this.send(idempotencyKey, (header) => this.api.POST('/api/v1/payments/intents', { params: { header }, body }));
    if (data.transactionId === undefined) return data;
    const funding = new Transaction({ transactionId: data.transactionId, status: 'ACCEPTED' }, { replayed, idempotencyKey: key }, this.transactions);
    return { ...data, funding };
  }

  /** Funds the escrow of an intent created with `fund: false` (or whose funding failed). */
  fund(escrowId: string, options: EscrowMoveRequest & Idempotent = {}): Promise<Transaction> {
    return this.move(escrowId, 'fund', options);
  }

  /** Pays a funded escrow to its payee. */
  release(escrowId: string, options: EscrowMoveRequest & Idempotent = {}): Promise<Transaction> {
    return this.move(escrowId, 'release', options);
  }

  /** Returns a funded escrow to its payer (this user), with an optional `reason`. */
  refund(escrowId: string, options: EscrowMoveRequest & Idempotent = {}): Promise<Transaction> {
    return this.move(escrowId, 'refund', options);
  }

  /** Sends `amount` token units to an external address, within the client's allowlist and limits. */
  async withdraw({ idempotencyKey, ...body }: WithdrawalRequest & Idempotent): Promise<Transaction> {
    return this.accepted(await this.send(idempotencyKey, (header) => this.api.POST('/api/v1/payments/withdrawals', { params: { header }, body })));
  }

  /**
   * A dry run of any operation for this user: whether it would be accepted now, its calls and its gas
   * (`gasLimit`, `totalCost` in wei, `totalCostUSD` when the deployment has a price). `params` is the
   * body of the operation's own call; an escrow move names its escrow as `escrowId`. Records nothing.
   */
  async estimateGas(request: GasEstimateRequest): Promise<GasEstimate> {
    const { data } = unwrap(await this.api.POST('/api/v1/payments/gas-estimate', { params: { header: { 'X-User-Id': this.userId } }, body: request }));
    return data;
  }

  private async move(
    escrowId: string,
    action: 'fund' | 'release' | 'refund',
    { idempotencyKey, ...body }: EscrowMoveRequest & Idempotent,
  ): Promise<Transaction> {
    const path = `/api/v1/payments/escrows/{id}/${action}` as const;
    return this.accepted(await this.send(idempotencyKey, (header) => this.api.POST(path, { params: { header, path: { id: escrowId } }, body })));
  }

  private accepted({ data, key, replayed }: { data: TransactionAccepted; key: string; replayed: boolean }): Transaction {
    return new Transaction(data, { replayed, idempotencyKey: key }, this.transactions);
  }

  private async send<Data>(idempotencyKey: string | undefined, send: (header: Header) => Sent<Data>): Promise<{ data: Data; key: string; replayed: boolean }> {
    const key = idempotencyKey ?? crypto.randomUUID();
    const { data, response } = unwrap(await send({ 'X-User-Id': this.userId, 'X-Idempotency-Key': key }));
    return { data, key, replayed: response.headers.get('idempotent-replayed') === 'true' };
  }
}

export class Payments {
  constructor(private readonly api: ApiClient) {}

  /** An intent, its status (read from its escrow's operations) and those operations. */
  async intent(intentId: string): Promise<PaymentIntent> {
    return unwrap(await this.api.GET('/api/v1/payments/intents/{id}', { params: { path: { id: intentId } } })).data;
  }

  /** The tokens the client's operations move. */
  async tokens(): Promise<PaymentToken[]> {
    return unwrap(await this.api.GET('/api/v1/payments/tokens', {})).data.tokens ?? [];
  }
}
