// chronos.user(userId): one end user's wallet and operations. Every write carries an idempotency key —
// the caller's, or one made per call — which the transport reuses on each retry of that call, so a
// retried write reaches the transaction the first attempt created instead of creating a second one.
import { getAddress } from 'viem';
import { unwrap, type ApiClient } from './api-client.js';
import { mintMessageHash, signMintMessage, type MintSigner } from './mint-message.js';
import { Transaction, type TransactionReader } from './transaction.js';
import type { Balance, ClaimRequest, PayoutRequest, TransactionAccepted, TransferRequest, Wallet, WalletBalances } from './types.js';
import { UserPayments } from './payments.js';
import { UserCertificates } from './certificates.js';
import { UserWallets } from './wallets.js';

type Idempotent = { idempotencyKey?: string };

export type MintParameters = Idempotent & {
  /** Your receipt id: a receipt mints once per client, ever. */
  receiptId: string;
  /** In wei (18 decimals), as the API takes mints. */
  amount: bigint | string;
  /** Your registered signer: a viem account, or a callback signing the hash. */
  sign: MintSigner;
};

export class ChronosUser {
  /** Escrowed payments and withdrawals from this user's account. */
  readonly payments: UserPayments;
  /** Certificates issued for this user, and revocations sent from its account. */
  readonly certificates: UserCertificates;
  /** External wallets linked to this user (Sign-In with Ethereum). */
  readonly wallets: UserWallets;

  constructor(
    readonly userId: string,
    private readonly api: ApiClient,
    private readonly transactions: TransactionReader,
  ) {
    this.payments = new UserPayments(userId, api, transactions);
    this.certificates = new UserCertificates(userId, api, transactions);
    this.wallets = new UserWallets(userId, api);
  }

  /** The user's smart account (idempotent; nothing is deployed until its first operation). */
  async createWallet(): Promise<Wallet> {
    return unwrap(await this.api.POST('/api/v1/wallet/create', { params: { header: { 'X-User-Id': this.userId } } })).data;
  }

  /** The balance on-chain, in token units. */
  async balance(): Promise<Balance> {
    return unwrap(await this.api.GET('/api/v1/wallet/balance', { params: { header: { 'X-User-Id': this.userId } } })).data;
  }

  /** Every token of the client: on-chain balance, debits in flight and what is available. */
  async balances(): Promise<WalletBalances> {
    return unwrap(await this.api.GET('/api/v1/wallet/balances', { params: { header: { 'X-User-Id': this.userId } } })).data;
  }

  /** Sends `amount` token units to `to`: of the client's own token, or of `token` when given (one of the client's). */
  transfer({ idempotencyKey, ...body }: TransferRequest & Idempotent): Promise<Transaction> {
    return this.write(idempotencyKey, (header) => this.api.POST('/api/v1/wallet/transfer', { params: { header }, body }));
  }

  /** Pays several recipients in one UserOperation: one transaction, one outcome. */
  payout({ idempotencyKey, ...body }: PayoutRequest & Idempotent): Promise<Transaction> {
    return this.write(idempotencyKey, (header) => this.api.POST('/api/v1/wallet/transfers', { params: { header }, body }));
  }

  /** Locks `amount` token units in the ClaimVault under `claimId` (once per id). */
  claim({ idempotencyKey, ...body }: ClaimRequest & Idempotent): Promise<Transaction> {
    return this.write(idempotencyKey, (header) => this.api.POST('/api/v1/claims/execute', { params: { header }, body }));
  }

  /** The two-step mint in one call: prepare, sign the message hash with `sign`, execute. */
  async mint({ receiptId, amount, sign, idempotencyKey }: MintParameters): Promise<Transaction> {
    const header = { 'X-User-Id': this.userId };
    const userAddress = getAddress((await this.createWallet()).address);
    const prepared = unwrap(await this.api.POST('/api/v1/mint/prepare', { params: { header }, body: { receiptId, userAddress } })).data;
    const amountWei = BigInt(amount);
    const messageHash = mintMessageHash({
      contractAddress: getAddress(prepared.contractAddress),
      chainId: prepared.chainId,
      userAddress,
      receiptId,
      amount: amountWei,
      expiryBlock: BigInt(prepared.expiryBlock),
      nonce: BigInt(prepared.nonce),
    });
    const signature = await signMintMessage(sign, messageHash);
    const body = { receiptId, amount: amountWei.toString(), signature, expiryBlock: prepared.expiryBlock, nonce: prepared.nonce };
    return this.write(idempotencyKey, (h) => this.api.POST('/api/v1/mint/execute', { params: { header: h }, body }));
  }

  private async write(
    idempotencyKey: string | undefined,
    send: (header: { 'X-User-Id': string; 'X-Idempotency-Key': string }) => Promise<{ data?: TransactionAccepted; error?: unknown; response: Response }>,
  ): Promise<Transaction> {
    const key = idempotencyKey ?? crypto.randomUUID();
    const { data, response } = unwrap(await send({ 'X-User-Id': this.userId, 'X-Idempotency-Key': key }));
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    return new Transaction(data, { replayed, idempotencyKey: key }, this.transactions);
  }
}
