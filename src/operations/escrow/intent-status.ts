// A payment intent's status, read from its escrow's operations rather than stored: their statuses have
// one writer (src/status/transition.ts), so the intent can never disagree with them.
import type { TransactionStatus } from '../../statuses.js';

export const INTENT_STATUSES = ['created', 'funding', 'funded', 'releasing', 'released', 'refunding', 'refunded', 'failed'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

type Move = { type: string; status: TransactionStatus };

const LIVE: readonly TransactionStatus[] = ['ACCEPTED', 'SUBMITTING', 'SUBMITTED'];

/**
 * `created` until a funding is accepted; `funding` while it is in flight; `failed` when every funding
 * ended without moving the tokens (a new one may be tried); `funded` once one is CONFIRMED; then
 * `releasing`/`refunding` while a settlement is in flight and `released`/`refunded` once it is
 * CONFIRMED. A settlement that failed leaves the escrow `funded`, to be tried again.
 */
export function intentStatus(moves: readonly Move[]): IntentStatus {
  const settled = moves.find((m) => (m.type === 'escrow_release' || m.type === 'escrow_refund') && m.status === 'CONFIRMED');
  if (settled) return settled.type === 'escrow_release' ? 'released' : 'refunded';
  const settling = moves.find((m) => (m.type === 'escrow_release' || m.type === 'escrow_refund') && LIVE.includes(m.status));
  if (settling) return settling.type === 'escrow_release' ? 'releasing' : 'refunding';
  const fundings = moves.filter((m) => m.type === 'escrow_fund');
  if (fundings.some((m) => m.status === 'CONFIRMED')) return 'funded';
  if (fundings.some((m) => LIVE.includes(m.status))) return 'funding';
  return fundings.length ? 'failed' : 'created';
}
