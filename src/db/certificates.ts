// Certificates (README, Certificates) and the operations that issue and revoke them. A client's rows
// only: every query starts from its client id, so no client reaches another's certificates.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Certificate, Database, NewCertificate, Transaction } from './schema.js';

type Queryable = Db | DbTransaction<Database>;

/** The statuses after which an operation will never execute: its certificate_hash slot is free again. */
const ENDED_UNEXECUTED = ['FAILED', 'EXPIRED', 'REVERTED'] as const;

export async function insertCertificate(db: Queryable, certificate: NewCertificate): Promise<Certificate> {
  return db.insertInto('certificates').values(certificate).returningAll().executeTakeFirstOrThrow();
}

export async function findCertificate(db: Queryable, { clientId, id }: { clientId: string; id: string }): Promise<Certificate | undefined> {
  return db.selectFrom('certificates').selectAll().where('client_id', '=', clientId).where('id', '=', id).executeTakeFirst();
}

/**
 * The certificate a hash names: the one whose issue is live or done, else the latest attempt (a
 * FAILED one, which another request may retry).
 */
export async function findCertificateByHash(
  db: Queryable,
  { clientId, verificationHash }: { clientId: string; verificationHash: string },
): Promise<Certificate | undefined> {
  return db
    .selectFrom('certificates as c')
    .innerJoin('transactions as t', 't.id', 'c.issue_transaction_id')
    .selectAll('c')
    .where('c.client_id', '=', clientId)
    .where('c.verification_hash', '=', verificationHash)
    .orderBy(sql`t.status in ('FAILED', 'EXPIRED', 'REVERTED')`)
    .orderBy('c.id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export type CertificateOperation = Pick<Transaction, 'id' | 'type' | 'status' | 'params' | 'tx_hash' | 'updated_at'>;

/** Every operation that issued or revoked (or tried to) the client's certificate of this hash, oldest first. */
export async function certificateOperations(
  db: Queryable,
  { clientId, verificationHash }: { clientId: string; verificationHash: string },
): Promise<CertificateOperation[]> {
  return db
    .selectFrom('transactions')
    .select(['id', 'type', 'status', 'params', 'tx_hash', 'updated_at'])
    .where('client_id', '=', clientId)
    .where('certificate_hash', '=', verificationHash)
    .orderBy('accept_seq')
    .execute();
}

/**
 * One page of the user's certificates, newest first, after the certificate `after` (keyset: ids are
 * ULIDs, in creation order); an issue that ended unexecuted is not listed.
 */
export async function listUserCertificates(
  db: Queryable,
  { clientId, userId, after, limit }: { clientId: string; userId: string; after?: string; limit: number },
): Promise<Certificate[]> {
  let query = db
    .selectFrom('certificates as c')
    .innerJoin('transactions as t', 't.id', 'c.issue_transaction_id')
    .selectAll('c')
    .where('c.client_id', '=', clientId)
    .where('c.user_id', '=', userId)
    .where('t.status', 'not in', [...ENDED_UNEXECUTED]);
  if (after !== undefined) query = query.where('c.id', '<', after);
  return query.orderBy('c.id', 'desc').limit(limit).execute();
}

/** The certificate an issue operation recorded (the issue's transaction id). */
export async function findCertificateByIssue(
  db: Queryable,
  { clientId, transactionId }: { clientId: string; transactionId: string },
): Promise<Certificate | undefined> {
  return db.selectFrom('certificates').selectAll().where('client_id', '=', clientId).where('issue_transaction_id', '=', transactionId).executeTakeFirst();
}
