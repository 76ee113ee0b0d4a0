import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

/** `tx_` + a ULID in lower case: sortable by creation time, 29 characters. */
export function newTransactionId(): string {
  return `tx_${ulid().toLowerCase()}`;
}

/** The documented shape: `tx_` prefix, at most 32 characters. */
export function isTransactionIdShape(value: string): boolean {
  return value.startsWith('tx_') && value.length <= 32 && /^tx_[0-9a-z]+$/.test(value);
}
