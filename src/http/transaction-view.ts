import type { Selectable } from 'kysely';
import type { Transaction, TransactionTransitionsTable } from '../db/schema.js';

/** The public view of a transaction (GET /transactions/{id}; webhook payloads build on it). */
export function toTransactionView(tx: Transaction, history: Selectable<TransactionTransitionsTable>[]) {
  return {
    transactionId: tx.id,
    status: tx.status,
    type: tx.type,
    userOpHash: tx.user_op_hash,
    txHash: tx.tx_hash,
    blockNumber: tx.block_number === null ? null : Number(tx.block_number),
    // Where it is included now, as soon as the tracker sees it (a SUBMITTED one settles at its depth);
    // null before, and after a reorg took the inclusion away until it is included again.
    includedBlock: tx.block_number !== null && tx.block_hash !== null ? { number: Number(tx.block_number), hash: tx.block_hash } : null,
    reorgedAt: tx.reorged_at ? new Date(tx.reorged_at).toISOString() : null,
    gasUsed: tx.gas_used,
    gasCostWei: tx.gas_cost_wei,
    error: tx.error_code ? { code: tx.error_code, message: tx.error_message ?? '' } : null,
    createdAt: new Date(tx.created_at).toISOString(),
    updatedAt: new Date(tx.updated_at).toISOString(),
    history: history.map((h) => ({ status: h.to_status, at: new Date(h.at).toISOString(), reason: h.reason })),
  };
}
