// A wallet link as the API answers with it and the wallet.* webhooks carry it.
import { getAddress, isAddress, type Address } from 'viem';
import { apiErrors } from '../app-error.js';
import type { WalletLink } from '../db/schema.js';

export type WalletLinkView = { address: string; userId: string; linkedAt: string };

export function toWalletLinkView(link: WalletLink): WalletLinkView {
  return { address: getAddress(link.address), userId: link.user_id, linkedAt: new Date(link.linked_at).toISOString() };
}

/** A request's address field: any case, checksummed; anything else is a 400 naming the field. */
export function addressField(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) throw apiErrors.validation(`${field} must be a 0x-prefixed 20-byte address`);
  return getAddress(value);
}
