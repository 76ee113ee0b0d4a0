// chronos.user(id).certificates: issuing and revoking certificates from one user's account (writes,
// each with an idempotency key reused on every retry); and chronos.certificates: the client-wide reads
// (a certificate, a verification by hash, a user's certificates page by page).
import { unwrap, type ApiClient } from './api-client.js';
import { Transaction, type TransactionReader } from './transaction.js';
import type { Certificate, CertificateAccepted, CertificatePage, CertificateRequest, CertificateVerification } from './types.js';

type Idempotent = { idempotencyKey?: string };

/** What issuing returns: the certificate's id and hash, and its issue to wait on. */
export type IssuedCertificate = Pick<CertificateAccepted, 'certificateId' | 'verificationHash'> & { issue: Transaction };

export class UserCertificates {
  constructor(
    readonly userId: string,
    private readonly api: ApiClient,
    private readonly transactions: TransactionReader,
  ) {}

  /** Issues a certificate for this user (minted to `recipient`, else to the user's smart account). */
  async issue({ idempotencyKey, ...body }: CertificateRequest & Idempotent): Promise<IssuedCertificate> {
    const key = idempotencyKey ?? crypto.randomUUID();
    const { data, response } = unwrap(
      await this.api.POST('/api/v1/certificates', { params: { header: { 'X-User-Id': this.userId, 'X-Idempotency-Key': key } }, body }),
    );
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    const issue = new Transaction({ transactionId: data.transactionId, status: data.status }, { replayed, idempotencyKey: key }, this.transactions);
    return { certificateId: data.certificateId, verificationHash: data.verificationHash, issue };
  }

  /** Revokes an issued certificate (its `cert_…` id or token id), sent from this user's account. */
  async revoke(id: string, { idempotencyKey, reason }: { reason: string } & Idempotent): Promise<Transaction> {
    const key = idempotencyKey ?? crypto.randomUUID();
    const { data, response } = unwrap(
      await this.api.POST('/api/v1/certificates/{id}/revoke', {
        params: { header: { 'X-User-Id': this.userId, 'X-Idempotency-Key': key }, path: { id } },
        body: { reason },
      }),
    );
    return new Transaction(data, { replayed: response.headers.get('idempotent-replayed') === 'true', idempotencyKey: key }, this.transactions);
  }
}

export class Certificates {
  constructor(private readonly api: ApiClient) {}

  /** A certificate by its `cert_…` id or token id: its fields, status and validity read from the chain. */
  async get(id: string): Promise<Certificate> {
    return unwrap(await this.api.GET('/api/v1/certificates/{id}', { params: { path: { id } } })).data;
  }

  /** The chain's answer for a verificationHash: a hash never issued is `valid: false`. */
  async verify(verificationHash: string): Promise<CertificateVerification> {
    return unwrap(await this.api.GET('/api/v1/certificates/verify/{hash}', { params: { path: { hash: verificationHash } } })).data;
  }

  /** One page of a user's certificates, newest first. */
  async page(userId: string, query: { limit?: number; cursor?: string } = {}): Promise<CertificatePage> {
    return unwrap(await this.api.GET('/api/v1/users/{id}/certificates', { params: { path: { id: userId }, query } })).data;
  }

  /** Every certificate of a user, newest first, fetched a page at a time as you iterate. */
  async *list(userId: string, { limit }: { limit?: number } = {}): AsyncGenerator<Certificate> {
    let cursor: string | undefined;
    do {
      const page = await this.page(userId, { limit, cursor });
      yield* page.certificates;
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }
}
