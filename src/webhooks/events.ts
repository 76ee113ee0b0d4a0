// The events Chronos sends and their envelope (README, Webhooks):
//   { id: "evt_…", event: "transaction.confirmed", timestamp: ISO-8601, data: { … } }
import { monotonicFactory } from 'ulid';
import type { Transaction, TransactionStatus } from '../db/schema.js';
import { definitionOf } from '../operations/index.js';

export const TRANSACTION_EVENT_TYPES = ['transaction.confirmed', 'transaction.reverted', 'transaction.failed', 'transaction.expired'] as const;
/** Not terminal: the transaction is SUBMITTED but was not included in time; Chronos is handling it. */
export const STALLED_EVENT_TYPE = 'transaction.stalled';
export const TEST_EVENT_TYPE = 'webhook.test';
export const EVENT_TYPES = [...TRANSACTION_EVENT_TYPES, STALLED_EVENT_TYPE, TEST_EVENT_TYPE] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

const ulid = monotonicFactory();

/** `evt_` + a lower-case ULID: unique, sortable; sent as `webhook-id` on every attempt of the event. */
export const newEventId = () => `evt_${ulid().toLowerCase()}`;
/** `del_` + a lower-case ULID. */
export const newDeliveryId = () => `del_${ulid().toLowerCase()}`;
export const isDeliveryIdShape = (value: string) => /^del_[0-9a-z]{26}$/.test(value);

export type TransactionEventData = {
  transactionId: string;
  userId: string;
  type: Transaction['type'];
  status: TransactionStatus;
  userOpHash: string | null;
  txHash: string | null;
  blockNumber: number | null;
  error: { code: string; message: string } | null;
  /** transaction.stalled only: why it is not included yet and what Chronos did. */
  reason?: string;
};

export type EventEnvelope<T> = { id: string; event: EventType; timestamp: string; data: T };

export function transactionEventType(status: TransactionStatus): EventType {
  const type = `transaction.${status.toLowerCase()}`;
  if (!isEventType(type)) throw new Error(`no webhook event for status ${status}`);
  return type;
}

/** The envelope for a transaction that just reached a terminal status (or stalled, with `reason`). */
export function toTransactionEvent(
  tx: Transaction,
  { eventId, stalledReason }: { eventId: string; stalledReason?: string },
): EventEnvelope<TransactionEventData> {
  const definition = definitionOf(tx.type);
  // Its stored params are read back only when the type adds something: none of today's does.
  const ofType = definition.webhookData?.(definition.parseParams(tx.params), tx);
  return {
    id: eventId,
    event: stalledReason === undefined ? transactionEventType(tx.status) : STALLED_EVENT_TYPE,
    timestamp: new Date(tx.updated_at).toISOString(),
    data: {
      transactionId: tx.id,
      userId: tx.user_id,
      type: tx.type,
      status: tx.status,
      userOpHash: tx.user_op_hash,
      txHash: tx.tx_hash,
      blockNumber: tx.block_number === null ? null : Number(tx.block_number),
      error: tx.error_code ? { code: tx.error_code, message: tx.error_message ?? '' } : null,
      ...(stalledReason !== undefined && { reason: stalledReason }),
      ...ofType,
    },
  };
}

/** What POST /webhooks/test sends: proves the URL, the secret and the receiver's verification work. */
export function toTestEvent({
  eventId,
  clientId,
  at = new Date(),
}: {
  eventId: string;
  clientId: string;
  at?: Date;
}): EventEnvelope<{ clientId: string; message: string }> {
  return {
    id: eventId,
    event: TEST_EVENT_TYPE,
    timestamp: at.toISOString(),
    data: { clientId, message: 'Test event from Chronos: your endpoint received and can verify webhooks.' },
  };
}
