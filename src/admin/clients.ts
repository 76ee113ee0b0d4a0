// Operator actions on clients (the CLI's `clients …` commands). Secrets leave here once, at creation
// or rotation, and are stored hashed (client secret) or for signing (webhook secret).
import type { Db } from '../db/connect.js';
import { WITHDRAWAL_DESTINATIONS, type Client, type WithdrawalDestinations } from '../db/schema.js';
import { findClient, insertClient, listClients, updateClient } from '../db/clients.js';
import { generateClientId, generateClientSecret, generateWebhookSecret, hashSecret } from '../auth/secrets.js';
import { SCOPES, type Scope } from '../auth/scopes.js';
import type { RateLimitOverrides } from '../policy/rate-limit-categories.js';
import { checkWebhookUrl } from './webhook-url.js';

/** How long the previous webhook secret keeps signing after a rotation. */
export const WEBHOOK_SECRET_OVERLAP_SECONDS = 24 * 3600;

export class ClientNotFoundError extends Error {
  constructor(id: string) {
    super(`no client with id '${id}'`);
  }
}

export type ClientView = {
  clientId: string;
  name: string;
  scopes: string[];
  webhookUrl: string | null;
  /** Set when the receiver answered 410 Gone: nothing is sent until `clients set-webhook` sets a URL again. */
  webhookDisabledAt: string | null;
  webhookDisabledReason: string | null;
  signerAddress: string | null;
  /** The client's own ChronosToken; null: the shared TOKEN_ADDRESS (registered before tokens were per client). */
  tokenAddress: string | null;
  /** The client's own ChronosCertificate; null: it issues no certificates (`clients enable-certificates`). */
  certificateAddress: string | null;
  rateLimits: Record<string, number>;
  /** Where its users may withdraw to; null: any address. */
  withdrawalAllowlist: string[] | null;
  /** What one user may withdraw per period, in wei of the client's token; null: no limit. */
  withdrawalLimit: { amountWei: string; period: 'daily' | 'weekly' | 'monthly' } | null;
  /** 'linked': its users may withdraw only to a wallet they linked (README, Connected wallets); 'any': no such rule. */
  withdrawalDestinations: WithdrawalDestinations;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
};

export function toClientView(client: Client): ClientView {
  return {
    clientId: client.id,
    name: client.name,
    scopes: client.scopes,
    webhookUrl: client.webhook_url,
    webhookDisabledAt: client.webhook_disabled_at?.toISOString() ?? null,
    webhookDisabledReason: client.webhook_disabled_reason,
    signerAddress: client.signer_address,
    tokenAddress: client.token_address,
    certificateAddress: client.certificate_address,
    rateLimits: client.rate_limits,
    withdrawalAllowlist: client.withdrawal_allowlist,
    withdrawalLimit:
      client.withdrawal_limit_wei !== null && client.withdrawal_limit_period !== null
        ? { amountWei: client.withdrawal_limit_wei, period: client.withdrawal_limit_period }
        : null,
    withdrawalDestinations: client.withdrawal_destinations,
    revoked: client.revoked_at !== null,
    revokedAt: client.revoked_at?.toISOString() ?? null,
    createdAt: new Date(client.created_at).toISOString(),
  };
}

export type CreateClientParameters = {
  name: string;
  scopes?: Scope[];
  webhookUrl?: string;
  signerAddress?: string;
  rateLimits?: RateLimitOverrides;
  /** The client's ChronosToken (deployed for it by src/admin/client-token.ts, or shared deliberately); unset: the shared TOKEN_ADDRESS. */
  tokenAddress?: string;
  /** The client's ChronosCertificate (src/admin/client-certificate.ts), deployed for the id given in `id`. */
  certificateAddress?: string;
  /** Chosen before the client is written when its contracts must know it (its certificate issuer); else generated. */
  id?: string;
};

export async function createClient(db: Db, params: CreateClientParameters): Promise<{ client: ClientView; clientSecret: string; webhookSecret: string }> {
  if (!params.name.trim()) throw new Error('client name must not be empty');
  const signerAddress = params.signerAddress === undefined ? undefined : await checksummed(params.signerAddress, 'signer');
  const tokenAddress = params.tokenAddress === undefined ? undefined : await checksummed(params.tokenAddress, 'token');
  const certificateAddress = params.certificateAddress === undefined ? undefined : await checksummed(params.certificateAddress, 'certificate');
  const clientSecret = generateClientSecret();
  const webhookSecret = generateWebhookSecret();
  const client = await insertClient(db, {
    id: params.id ?? generateClientId(),
    name: params.name.trim(),
    secret_hash: await hashSecret(clientSecret),
    webhook_url: params.webhookUrl ? checkWebhookUrl(params.webhookUrl) : null,
    webhook_secret: webhookSecret,
    signer_address: signerAddress ?? null,
    token_address: tokenAddress ?? null,
    certificate_address: certificateAddress ?? null,
    scopes: params.scopes ?? [...SCOPES],
    rate_limits: JSON.stringify(params.rateLimits ?? {}),
  });
  return { client: toClientView(client), clientSecret, webhookSecret };
}

async function change(db: Db, id: string, changes: Parameters<typeof updateClient>[2], options?: Parameters<typeof updateClient>[3]): Promise<Client> {
  const client = await updateClient(db, id, changes, options);
  if (!client) throw new ClientNotFoundError(id);
  return client;
}

export async function showClient(db: Db, id: string): Promise<ClientView> {
  const client = await findClient(db, id);
  if (!client) throw new ClientNotFoundError(id);
  return toClientView(client);
}

export async function listClientViews(db: Db): Promise<ClientView[]> {
  return (await listClients(db)).map(toClientView);
}

export async function revokeClient(db: Db, id: string): Promise<ClientView> {
  const existing = await findClient(db, id);
  if (!existing) throw new ClientNotFoundError(id);
  if (existing.revoked_at) return toClientView(existing);
  return toClientView(await change(db, id, { revoked_at: new Date() }));
}

/**
 * Takes a revoked client back into service: its wallets and transactions were never deleted. Tokens
 * issued before now stay refused (see `tokens_not_before`), so a token that leaked before the
 * revocation does not come back to life with the client.
 */
export async function unrevokeClient(db: Db, id: string): Promise<ClientView> {
  const existing = await findClient(db, id);
  if (!existing) throw new ClientNotFoundError(id);
  if (!existing.revoked_at) return toClientView(existing);
  return toClientView(await change(db, id, { revoked_at: null }, { endEarlierTokens: true }));
}

/**
 * A rotation is usually done because the old secret may have leaked, and so may tokens issued with
 * it: every token issued before now stops working too (within the client cache's few seconds).
 */
export async function rotateClientSecret(db: Db, id: string): Promise<{ client: ClientView; clientSecret: string }> {
  const clientSecret = generateClientSecret();
  const client = await change(db, id, { secret_hash: await hashSecret(clientSecret) }, { endEarlierTokens: true });
  return { client: toClientView(client), clientSecret };
}

/** The old secret keeps signing (as a second signature) for a day, so receivers can switch without gaps. */
export async function rotateWebhookSecret(db: Db, id: string): Promise<{ client: ClientView; webhookSecret: string; previousSecretValidUntil: string }> {
  const existing = await findClient(db, id);
  if (!existing) throw new ClientNotFoundError(id);
  const webhookSecret = generateWebhookSecret();
  const until = new Date(Date.now() + WEBHOOK_SECRET_OVERLAP_SECONDS * 1000);
  const client = await change(db, id, {
    webhook_secret: webhookSecret,
    previous_webhook_secret: existing.webhook_secret,
    previous_webhook_secret_expires_at: until,
  });
  return { client: toClientView(client), webhookSecret, previousSecretValidUntil: until.toISOString() };
}

/** Setting the URL (the same one included) is also how a webhook disabled by a 410 Gone is enabled again. */
export async function setWebhook(db: Db, id: string, url: string | null): Promise<ClientView> {
  return toClientView(
    await change(db, id, { webhook_url: url === null ? null : checkWebhookUrl(url), webhook_disabled_at: null, webhook_disabled_reason: null }),
  );
}

export async function setScopes(db: Db, id: string, scopes: Scope[]): Promise<ClientView> {
  return toClientView(await change(db, id, { scopes }));
}

export async function setRateLimits(db: Db, id: string, overrides: RateLimitOverrides): Promise<ClientView> {
  const existing = await findClient(db, id);
  if (!existing) throw new ClientNotFoundError(id);
  return toClientView(await change(db, id, { rate_limits: JSON.stringify({ ...existing.rate_limits, ...overrides }) }));
}

/** Replaces the addresses the client's users may withdraw to; null lifts the restriction. */
export async function setWithdrawalAllowlist(db: Db, id: string, addresses: string[] | null): Promise<ClientView> {
  const checked = addresses === null ? null : await Promise.all(addresses.map((a) => checksummed(a, 'withdrawal destination')));
  return toClientView(await change(db, id, { withdrawal_allowlist: checked === null ? null : [...new Set(checked)] }));
}

export const WITHDRAWAL_LIMIT_PERIODS = ['daily', 'weekly', 'monthly'] as const;

/** Sets what one user may withdraw per period (`amount` in token units); null lifts the limit. */
export async function setWithdrawalLimit(db: Db, id: string, limit: { amount: string; period: string } | null): Promise<ClientView> {
  if (limit === null) return toClientView(await change(db, id, { withdrawal_limit_wei: null, withdrawal_limit_period: null }));
  // Imported here, not at the top: it loads viem (see checksummed).
  const { parseTokenAmount } = await import('../chain/token-units.js');
  const wei = parseTokenAmount(limit.amount);
  if (wei === undefined) throw new Error(`withdrawal limit '${limit.amount}' is not a positive token amount (at most 18 decimals)`);
  const period = WITHDRAWAL_LIMIT_PERIODS.find((p) => p === limit.period);
  if (!period) throw new Error(`withdrawal limit period '${limit.period}' is not one of ${WITHDRAWAL_LIMIT_PERIODS.join(', ')}`);
  return toClientView(await change(db, id, { withdrawal_limit_wei: wei, withdrawal_limit_period: period }));
}

/** Records the client's ChronosCertificate (`clients enable-certificates`). */
export async function setCertificateContract(db: Db, id: string, certificateAddress: string): Promise<ClientView> {
  return toClientView(await change(db, id, { certificate_address: await checksummed(certificateAddress, 'certificate') }));
}

/** 'linked' lets the client's users withdraw only to wallets they linked; 'any' lifts that (the allowlist still applies). */
export async function setWithdrawalDestinations(db: Db, id: string, destinations: string): Promise<ClientView> {
  const chosen = WITHDRAWAL_DESTINATIONS.find((d) => d === destinations);
  if (!chosen) throw new Error(`withdrawal destinations '${destinations}' is not one of ${WITHDRAWAL_DESTINATIONS.join(', ')}`);
  return toClientView(await change(db, id, { withdrawal_destinations: chosen }));
}

export async function setSigner(db: Db, id: string, signerAddress: string): Promise<ClientView> {
  return toClientView(await change(db, id, { signer_address: await checksummed(signerAddress, 'signer') }));
}

async function checksummed(address: string, what: string): Promise<string> {
  // Imported here, not at the top: viem takes ~0.4 s to load, and the CLI's other clients commands
  // (list, show, revoke …) never need it.
  const { getAddress, isAddress } = await import('viem');
  if (!isAddress(address)) throw new Error(`${what} '${address}' is not an address`);
  return getAddress(address);
}
