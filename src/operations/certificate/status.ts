// A certificate's status, read from its operations rather than stored: their statuses have one
// writer (src/status/transition.ts), so the certificate can never disagree with them.
import type { TransactionStatus } from '../../statuses.js';
import { CERTIFICATE_ISSUE_TYPE } from '../certificate-issue/type.js';
import { CERTIFICATE_REVOKE_TYPE } from '../certificate-revoke/type.js';

export const CERTIFICATE_STATUSES = ['issuing', 'issued', 'revoking', 'revoked', 'failed'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

type Move = { id: string; type: string; status: TransactionStatus };

const LIVE: readonly TransactionStatus[] = ['ACCEPTED', 'SUBMITTING', 'SUBMITTED'];

/**
 * `issuing` while its issue is in flight, `failed` when it ended without executing (the hash may be
 * issued again, as a new certificate), `issued` once CONFIRMED; then `revoking` while a revocation
 * is in flight and `revoked` once one is CONFIRMED (one that failed leaves it `issued`).
 */
export function certificateStatus(issueTransactionId: string, moves: readonly Move[]): CertificateStatus {
  const issue = moves.find((m) => m.id === issueTransactionId && m.type === CERTIFICATE_ISSUE_TYPE);
  if (!issue || LIVE.includes(issue.status)) return 'issuing';
  if (issue.status !== 'CONFIRMED') return 'failed';
  const revocations = moves.filter((m) => m.type === CERTIFICATE_REVOKE_TYPE);
  if (revocations.some((m) => m.status === 'CONFIRMED')) return 'revoked';
  if (revocations.some((m) => LIVE.includes(m.status))) return 'revoking';
  return 'issued';
}
