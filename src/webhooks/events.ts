// The events Chronos sends and their envelope (README, Webhooks):
//   { id: "evt_…", event: "transaction.confirmed", timestamp: ISO-8601, data: { … } }
import { monotonicFactory } from 'ulid';
import type { Transaction, TransactionStatus } from '../db/schema.js';
import { definitionOf } from '../operations/index.js';
import { PAYMENT_EVENT_TYPES } from '../operations/escrow/events.js';
import { CERTIFICATE_EVENT_TYPES } from '../operations/certificate/events.js';
import type { OperationEvent } from '../operations/types.js';

export const TRANSACTION_EVENT_TYPES = ['transaction.confirmed', 'transaction.reverted', 'transaction.failed', 'transaction.expired'] as const;
/** Not terminal: the transaction is SUBMITTED but was not included in time; Chronos is handling it. */
export const STALLED_EVENT_TYPE = 'transaction.stalled';
/** Not a status change: the block of a settled transaction was reorged out; Chronos re-sends it until it is included again. */
export const REORGED_EVENT_TYPE = 'transaction.reorged';
export const TEST_EVENT_TYPE = 'webhook.test';
/** Not transactions: a user linked or unlinked an external wallet (README, Connected wallets), recorded with the change. */
export const WALLET_EVENT_TYPES = ['wallet.connected', 'wallet.disconnected'] as const;
export const EVENT_TYPES = [
  ...TRANSACTION_EVENT_TYPES,
  STALLED_EVENT_TYPE,
  REORGED_EVENT_TYPE,
  TEST_EVENT_TYPE,
  ...PAYMENT_EVENT_TYPES,
  ...CERTIFICATE_EVENT_TYPES,
  ...WALLET_EVENT_TYPES,
] as const;
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
  /** transaction.stalled and transaction.reorged: what happened and what Chronos does about it. */
  reason?: string;
  /** transaction.reorged only: the inclusion the reorg took away. */
  reorgedFrom?: { txHash: string | null; blockNumber: number; blockHash: string };
};

/** What a transaction.reorged event reports. */
export type ReorgDetails = { reason: string; txHash: string | null; blockNumber: bigint; blockHash: string };

export type EventEnvelope<T> = { id: string; event: EventType; timestamp: string; data: T };

export function transactionEventType(status: TransactionStatus): EventType {
  const type = `transaction.${status.toLowerCase()}`;
  if (!isEventType(type)) throw new Error(`no webhook event for status ${status}`);
  return type;
}

/** The envelope for a transaction that just reached a terminal status (or stalled, with `reason`). */
export function toTransactionEvent(
  tx: Transaction,
  { eventId, stalledReason, reorg }: { eventId: string; stalledReason?: string; reorg?: ReorgDetails },
): EventEnvelope<TransactionEventData> {
  const definition = definitionOf(tx.type);
  // Its stored params are read back only when the type adds something: none of today's does.
  const ofType = definition.webhookData?.(definition.parseParams(tx.params), tx);
  return {
    id: eventId,
    event: reorg ? REORGED_EVENT_TYPE : stalledReason === undefined ? transactionEventType(tx.status) : STALLED_EVENT_TYPE,
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
      ...(reorg && {
        reason: reorg.reason,
        reorgedFrom: { txHash: reorg.txHash, blockNumber: Number(reorg.blockNumber), blockHash: reorg.blockHash },
      }),
      ...ofType,
    },
  };
}

/** The envelope of an event an operation type adds (payment.*): `timestamp` is when it is recorded. */
export function toOperationEvent({
  eventId,
  event,
  data,
  at = new Date(),
}: { eventId: string; at?: Date } & OperationEvent): EventEnvelope<Record<string, unknown>> {
  if (!isEventType(event)) throw new Error(`an operation reported the unknown event '${event}'`);
  return { id: eventId, event, timestamp: at.toISOString(), data };
}

/** The events a transaction's type adds when it reaches its terminal status (none for most types). */
export function operationEventsOf(tx: Transaction, newId: () => string): EventEnvelope<Record<string, unknown>>[] {
  const definition = definitionOf(tx.type);
  if (!definition.events) return [];
  const at = new Date(tx.updated_at);
  return definition.events(definition.parseParams(tx.params), tx).map((e) => toOperationEvent({ eventId: newId(), at, ...e }));
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
