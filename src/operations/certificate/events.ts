// The certificate.* webhook events (README, Certificates), sent beside the certificate operations'
// transaction.* ones when the operation that issues or revokes a certificate is CONFIRMED.
import type { Address, Hex } from 'viem';
import type { Transaction } from '../../db/schema.js';

export const CERTIFICATE_EVENT_TYPES = ['certificate.minted', 'certificate.revoked'] as const;

/** The data both events carry: which certificate, on which contract, by which operation. */
export function certificateEventData(
  { certificateId, contract, verificationHash }: { certificateId: string; contract: Address; verificationHash: Hex },
  transaction: Transaction,
): Record<string, unknown> {
  return {
    certificateId,
    tokenId: BigInt(verificationHash).toString(),
    verificationHash,
    contract,
    transactionId: transaction.id,
    userId: transaction.user_id,
    txHash: transaction.tx_hash,
  };
}
