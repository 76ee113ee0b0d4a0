// The Sign-In-with-Ethereum (EIP-4361) messages that link a wallet (README, Connected wallets): what
// GET /wallets/connect/nonce issues, and what POST /wallets/connect checks of a message before it looks
// the nonce up. Pure: the database and the chain are the routes' business.
import { getAddress, isAddressEqual, type Address } from 'viem';
import { createSiweMessage, generateSiweNonce, parseSiweMessage } from 'viem/siwe';
import { apiErrors } from '../app-error.js';

export type SiweSettings = { domain: string; uri: string; chainId: number };

export const LINK_STATEMENT = 'Link this wallet to your account. Signing proves you control this address; it grants no other access and costs no gas.';

/** The resource naming who the link is for: the user id percent-encoded, as a URI requires. */
export function linkResource({ clientId, userId }: { clientId: string; userId: string }): string {
  return `urn:chronos:client:${encodeURIComponent(clientId)}:user:${encodeURIComponent(userId)}`;
}

export type IssuedMessage = { nonce: string; message: string; issuedAt: Date; expiresAt: Date };

export function createLinkMessage(
  settings: SiweSettings,
  { address, clientId, userId, ttlSeconds, now = new Date() }: { address: Address; clientId: string; userId: string; ttlSeconds: number; now?: Date },
): IssuedMessage {
  const nonce = generateSiweNonce();
  // Whole milliseconds, as the database keeps them (timestamptz(3)) and the message prints them.
  const issuedAt = new Date(Math.floor(now.getTime()));
  const expiresAt = new Date(issuedAt.getTime() + ttlSeconds * 1000);
  const message = createSiweMessage({
    domain: settings.domain,
    uri: settings.uri,
    chainId: settings.chainId,
    address,
    nonce,
    version: '1',
    statement: LINK_STATEMENT,
    issuedAt,
    expirationTime: expiresAt,
    resources: [linkResource({ clientId, userId })],
  });
  return { nonce, message, issuedAt, expiresAt };
}

/**
 * What the message claims, once it reads as an EIP-4361 message for this deployment: its nonce and
 * address. The address given beside it must be the message's. Whether the nonce was issued for this
 * client, user and text is the nonce row's to say.
 */
export function readLinkMessage(settings: SiweSettings, { message, address }: { message: string; address: Address }): { nonce: string; address: Address } {
  const parsed = parseSiweMessage(message);
  if (!parsed.nonce || !parsed.address || !parsed.domain || !parsed.uri || parsed.chainId === undefined)
    throw apiErrors.validation('message is not an EIP-4361 (Sign-In with Ethereum) message: use the one GET /api/v1/wallets/connect/nonce issued');
  if (parsed.domain !== settings.domain) throw apiErrors.siweDomainMismatch(`The message is for domain ${parsed.domain}, not ${settings.domain}`);
  if (parsed.uri !== settings.uri) throw apiErrors.siweDomainMismatch(`The message is for URI ${parsed.uri}, not ${settings.uri}`);
  if (parsed.chainId !== settings.chainId) throw apiErrors.siweDomainMismatch(`The message is for chain ${parsed.chainId}, not ${settings.chainId}`);
  if (!isAddressEqual(parsed.address, address)) throw apiErrors.validation("address must be the message's address");
  return { nonce: parsed.nonce, address: getAddress(parsed.address) };
}
