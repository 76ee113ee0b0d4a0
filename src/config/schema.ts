// All configuration is one schema with defaults and transforms, parsed once into a frozen object.
import { z } from 'zod';
import { isAddress, getAddress, type Address, type Hex } from 'viem';
import { parseRateLimits, type RateLimitCategory } from '../policy/rate-limit-categories.js';
import {
  CHRONOS_CONTRACTS,
  type ConfiguredContractAddresses,
  type ChronosContractVariable,
  type OptionalContractVariable,
} from '../chain/contracts/registry.js';
import type { Sponsorship } from '../userop/sponsorship/mode.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../chain/http-backoff.js';
import { describeEntry, splitUrlList } from './url-list.js';
import { parseRetrySchedule, type RetrySchedule, type RetryScheduleSource } from './webhook-retry-schedule.js';

// `.env.example` carries placeholders so that it reads as a template; a `.env` copied from it must not
// start a deployment with an all-zero MASTER_KEY, a published JWT secret or example.com services.
const PLACEHOLDER = 'is still the .env.example placeholder: put your own value here';
const isExampleHost = (v: string) => {
  try {
    return /(^|\.)example\.(com|org|net)$/.test(new URL(v).hostname);
  } catch {
    return false;
  }
};

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL`,
    )
    .refine((v) => !isExampleHost(v), PLACEHOLDER);

/**
 * One URL, or a comma-separated list of them in order of preference (failover), each checked as
 * `url` would; a single entry keeps `url`'s wording, a list's problems name the entry.
 */
const urlList = (protocols: string[]) =>
  z.string().transform((value, ctx): readonly string[] => {
    const entries = splitUrlList(value);
    const one = url(protocols);
    entries.forEach((entry, i) => {
      const result = one.safeParse(entry);
      if (result.success) return;
      const message = result.error.issues[0].message;
      ctx.addIssue({ code: 'custom', message: entries.length === 1 ? message : `${describeEntry(entry, i, entries.length)} ${message}` });
    });
    return Object.freeze(entries);
  });

const address = z
  .string()
  .trim()
  .refine(isAddress, 'must be a 0x-prefixed 20-byte address')
  .transform((v) => getAddress(v) as Address);
const contractAddress = address.refine((v) => !/^0x0{40}$/.test(v), 'must be a deployed contract, not the zero address');
/**
 * TOKEN_ADDRESS, CLAIM_VAULT_ADDRESS, …: one variable per contract of the registry; PAYMASTER_ADDRESS
 * only matters without PAYMASTER_URL, which load.ts checks.
 */
const contractVariables = Object.fromEntries(
  CHRONOS_CONTRACTS.map((c) => [c.variable, c.needed === 'always' ? contractAddress : contractAddress.optional()]),
) as {
  [V in ChronosContractVariable]: V extends OptionalContractVariable ? z.ZodOptional<typeof contractAddress> : typeof contractAddress;
};
const port = z.coerce.number().int().min(0).max(65535);
/** A hop count (1–10), or a comma-separated list of IP addresses, CIDR subnets and express's preset names. */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): number | string[] => {
    if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 10) return Number(value);
    // A bare number is a hop count (never an address), so 0 or 11 is refused rather than read as one.
    if (/^\d+$/.test(value)) return refuse(ctx);
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    const known = (entry: string) => ['loopback', 'linklocal', 'uniquelocal'].includes(entry) || /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry);
    if (entries.length === 0 || !entries.every(known)) return refuse(ctx);
    return entries;
  });
function refuse(ctx: z.RefinementCtx): never {
  ctx.addIssue({ code: 'custom', message: 'must be a hop count (1-10) or a comma-separated list of addresses, subnets, loopback, linklocal or uniquelocal' });
  return z.NEVER;
}
const fixedPort = z.coerce.number().int().min(1).max(65535);
const privateKey = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
  .transform((v) => v as Hex);
const positiveInt = z.coerce.number().int().positive();
/** A JSON object given as text, e.g. an ERC-7677 paymaster's sponsorship context. */
const jsonObject = z.string().transform((text, ctx) => {
  const value = (() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"sponsorshipPolicyId":"sp_my_policy"}' });
    return z.NEVER;
  }
  return Object.freeze(value as Record<string, unknown>);
});
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Canonical ERC-4337 v0.7 addresses: the same on every chain where they are deployed. */
export const CANONICAL_ENTRY_POINT_07 = '0x0000000071727De22E5E9d8BAf0edAc6f37da032' as Address;
export const CANONICAL_SIMPLE_ACCOUNT_FACTORY_07 = '0x91E60e0613810449d098b0b5Ec8b51A0FE8c8985' as Address;

export const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']),
  // Several (comma-separated): reads and sends fail over in this order (src/chain/failover-transport.ts).
  RPC_URL: urlList(['http:', 'https:']),
  BUNDLER_URL: urlList(['http:', 'https:']),
  // How long a 429/5xx answer is waited out per call (every entry of a list having answered it):
  // this many tries, none paused longer than the maximum, whatever Retry-After asks.
  RPC_RETRY_ATTEMPTS: positiveInt.default(DEFAULT_BACKOFF.attempts),
  RPC_RETRY_MAX_WAIT_SECONDS: z.coerce
    .number()
    .positive()
    .default(DEFAULT_BACKOFF.capMs / 1_000),
  // Sponsorship: Chronos's own paymaster (PAYMASTER_ADDRESS, signed with PAYMASTER_SIGNER_KEY), or any
  // ERC-7677 service at PAYMASTER_URL; exactly one (load.ts).
  PAYMASTER_URL: url(['http:', 'https:']).optional(),
  // Passed as the ERC-7677 `context` of every paymaster request (a hosted paymaster's sponsorship policy id …).
  PAYMASTER_CONTEXT: jsonObject.optional(),
  PAYMASTER_SIGNER_KEY: privateKey.refine((v) => !/^0x0{64}$/.test(v), PLACEHOLDER).optional(),
  // How long one signed sponsorship can be included; past it the operation is re-sponsored (same nonce).
  // At least 10: bundlers refuse an operation expiring within a few seconds (alto: 5), and a window
  // shorter than that margin plus the time to sign and send would be refused on every send.
  SPONSORSHIP_VALID_SECONDS: z.coerce.number().int().min(10).max(86_400).default(180),
  // /readyz says `degraded` (and a warning is logged) when the own paymaster's deposit lasts less than
  // this at the last hour's spend rate: time to run `chronos paymaster deposit` before operations wait.
  PAYMASTER_DEPOSIT_MIN_COVER_SECONDS: z.coerce.number().int().min(0).default(3600),
  CHAIN_ID: positiveInt,
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .refine((v) => !v.startsWith('change-me'), PLACEHOLDER),
  MASTER_KEY: z
    .string()
    .trim()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex characters (32 random bytes)')
    .refine((v) => !/^0x0{64}$/.test(v), 'must be 32 random bytes, not zeros (the .env.example placeholder): generate one with openssl rand -hex 32')
    .transform((v) => v as Hex),
  ...contractVariables,
  ENTRY_POINT_ADDRESS: address.default(CANONICAL_ENTRY_POINT_07),
  ACCOUNT_FACTORY_ADDRESS: address.default(CANONICAL_SIMPLE_ACCOUNT_FACTORY_07),
  DEPLOYER_PRIVATE_KEY: privateKey.optional(),
  PORT: port.default(3000),
  // The API's listen address; the embedded default uses 127.0.0.1 unless HOST is set (see load.ts).
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  // Which proxies in front of the API may name the caller's address in X-Forwarded-For (express's
  // "trust proxy"): a hop count, or addresses, subnets and loopback/linklocal/uniquelocal. Unset: none,
  // so the per-address limits count the TCP peer and a forged header changes nothing.
  TRUST_PROXY: trustProxy.optional(),
  // Where /metrics, /healthz and /readyz are served apart from the API (a worker: 9464 when unset).
  // Set for `start`/`api`, it moves /metrics off the API port (see src/runtime/ops-server.ts).
  METRICS_PORT: port.optional(),
  // Loopback ports of the embedded default's own parts (only `chronos start` with no DATABASE_URL & co.).
  EMBEDDED_POSTGRES_PORT: fixedPort.default(54329),
  EMBEDDED_CHAIN_PORT: fixedPort.default(8545),
  EMBEDDED_BUNDLER_PORT: fixedPort.default(4337),
  // After SIGTERM/SIGINT, how long in-flight requests and jobs get before the process exits anyway.
  SHUTDOWN_GRACE_MS: positiveInt.default(25_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_ISSUER: z.string().min(1).default('chronos'),
  JWT_AUDIENCE: z.string().min(1).default('chronos-api'),
  JWT_TTL_SECONDS: positiveInt.default(3600),
  WORKER_CONCURRENCY: positiveInt.default(32),
  WORKER_HEARTBEAT_MS: positiveInt.default(2_000),
  WORKER_STALE_AFTER_MS: positiveInt.default(10_000),
  TRACKER_POLL_MS: positiveInt.default(50),
  MINT_EXPIRY_BLOCKS: positiveInt.default(300),
  INCLUSION_TIMEOUT_SECONDS: positiveInt.default(120),
  STALLED_AFTER_SECONDS: positiveInt.default(30),
  // Operations of one account in flight at once, each on its own nonce key; 1 = strictly one after another.
  MAX_PARALLEL_OPS_PER_ACCOUNT: positiveInt.default(32),
  // When an inclusion counts: CONFIRMATIONS blocks on top of it at the head, or once the RPC's
  // `safe` / `finalized` block has reached it (CONFIRM_AT). One or the other (load.ts).
  CONFIRMATIONS: z.coerce.number().int().min(0).default(0),
  CONFIRM_AT: z.enum(['latest', 'safe', 'finalized']).default('latest'),
  // The widest eth_getLogs range the tracker asks for (narrowed by itself when a provider refuses one).
  TRACKER_MAX_LOG_RANGE: positiveInt.default(1_000),
  // An operation stalled because the base fee rose above its signed maxFeePerGas is re-sent this long
  // (fees may come back down) before it is re-built at current fees with the same nonce. 60 s: within
  // the default 120 s deadline after the 30 s stall, leaving time for the re-built one to be included.
  FEE_SPIKE_WAIT_SECONDS: positiveInt.default(60),
  // No fee Chronos signs goes above this (gwei, decimals allowed); unset: no cap.
  MAX_FEE_PER_GAS_GWEI: z
    .string()
    .regex(/^\d+(\.\d{1,9})?$/, 'must be a number of gwei, e.g. 50 or 0.25')
    .refine((v) => /[1-9]/.test(v), 'must be above 0')
    .optional(),
  // Dollars per native token (ETH on most chains), for the gas estimate's totalCostUSD; unset: no USD figure.
  NATIVE_TOKEN_USD_PRICE: z
    .string()
    .regex(/^\d+(\.\d{1,6})?$/, 'must be a price in dollars, e.g. 3000 or 3000.25')
    .optional(),
  // Per API process: operations waiting for an accept batch; past it a request is answered 503 at once.
  ACCEPT_QUEUE_MAX: positiveInt.default(1_000),
  // The most recipients one POST /wallet/transfers may pay (README, Batch payouts).
  BATCH_TRANSFER_MAX_RECIPIENTS: positiveInt.default(100),
  // The old way to describe the retry schedule: no defaults, so load.ts can tell whether an operator set them.
  WEBHOOK_MAX_ATTEMPTS: positiveInt.optional(),
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool.default(false),
  WEBHOOK_RETRY_BASE_MS: positiveInt.optional(),
  // Waits after each failed attempt, e.g. 5s,5m,30m,2h,5h,10h,10h (the default, in load.ts).
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .transform((value, ctx): RetrySchedule => {
      try {
        return parseRetrySchedule(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be waits like 5s,5m,30m,2h (or none): ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .optional(),
  VALIDATE_RESPONSES: bool.default(false),
  // Deployment-wide rate limits (same syntax as the CLI's --rate-limit); a client's own override wins.
  RATE_LIMIT_DEFAULTS: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseRateLimits(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must look like general=100,minting=10: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .optional(),
  // Connected wallets (README, Connected wallets): what the Sign-In-with-Ethereum messages Chronos issues
  // name as the requesting site. SIWE_DOMAIN is an RFC 3986 authority (host[:port]), SIWE_URI the URI the
  // signature is for; either one alone derives the other, neither: localhost at PORT (load.ts).
  SIWE_DOMAIN: z.string().trim().min(1).optional(),
  SIWE_URI: url(['http:', 'https:']).optional(),
  // How long an issued message can be signed and sent; and how many unexpired, unused messages a user
  // may hold at once (issuing one more drops that user's oldest).
  SIWE_NONCE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  SIWE_MAX_OPEN_NONCES: z.coerce.number().int().min(1).max(1_000).default(20),
  // Multiplies every rate-limit window (1 = the documented windows); small values make tests fast.
  RATE_LIMIT_WINDOW_SCALE: z.coerce.number().positive().max(1000).default(1),
});

export type Env = z.input<typeof envSchema>;

export type EmbeddedPorts = Readonly<{ postgres: number; chain: number; bundler: number }>;

export type Config = Readonly<{
  mode: 'embedded' | 'external';
  port: number;
  host: string;
  /** express's "trust proxy": false when unset, so req.ip is the TCP peer. */
  trustProxy: number | string[] | false;
  /** Undefined: the API port serves /metrics, a worker's ops server listens on 9464. */
  metricsPort: number | undefined;
  embeddedPorts: EmbeddedPorts;
  shutdownGraceMs: number;
  logLevel: z.output<typeof envSchema>['LOG_LEVEL'];
  databaseUrl: string;
  /**
   * RPC_URL's and BUNDLER_URL's entries in order of preference; `rpcUrl` and `bundlerUrl` are the first
   * ones, for what talks to one endpoint only (a chain definition, a one-off CLI call, error attribution).
   */
  chain: Readonly<{
    rpcUrl: string;
    bundlerUrl: string;
    rpcUrls: readonly string[];
    bundlerUrls: readonly string[];
    chainId: number;
    /** How a 429/5xx from the RPC or the bundler is waited out (RPC_RETRY_*). */
    backoff: BackoffPolicy;
  }>;
  /** Who pays for every operation: Chronos's own paymaster or a hosted ERC-7677 one. */
  sponsorship: Sponsorship;
  /** The canonical ERC-4337 contracts, and this project's own by their registry key (token, claimVault, …). */
  contracts: Readonly<{ entryPoint: Address; accountFactory: Address } & ConfiguredContractAddresses>;
  jwt: Readonly<{ secret: string; issuer: string; audience: string; ttlSeconds: number }>;
  masterKey: Hex;
  deployerPrivateKey?: Hex;
  worker: Readonly<{ concurrency: number; trackerPollMs: number; liveness: Readonly<{ intervalMs: number; staleAfterMs: number }> }>;
  transactions: Readonly<{
    mintExpiryBlocks: number;
    inclusionTimeoutSeconds: number;
    stalledAfterSeconds: number;
    acceptQueueMax: number;
    maxParallelPerAccount: number;
    batchTransferMaxRecipients: number;
  }>;
  /** When an inclusion counts (README, Confirmations and reorgs), and how the tracker reads the logs. */
  tracking: Readonly<{ confirmations: number; confirmAt: 'latest' | 'safe' | 'finalized'; maxLogRange: number }>;
  /** Fee spikes: how long an underpriced operation is waited for, and the highest maxFeePerGas (wei) Chronos signs. */
  fees: Readonly<{ spikeWaitSeconds: number; maxFeePerGasWei?: bigint }>;
  /** NATIVE_TOKEN_USD_PRICE: dollars per native token, for gas estimates in USD. */
  prices: Readonly<{ nativeTokenUsd?: string }>;
  /**
   * Retry n (n ≥ 1) waits about retryScheduleMs[n-1], ±20 %, or longer when Retry-After asks;
   * maxAttempts is retryScheduleMs.length + 1. retryScheduleFrom says which variables it came from.
   */
  webhooks: Readonly<{
    maxAttempts: number;
    timeoutMs: number;
    allowPrivateTargets: boolean;
    retryScheduleMs: RetrySchedule;
    retryScheduleFrom: RetryScheduleSource;
  }>;
  validateResponses: boolean;
  /** What the SIWE messages of GET /wallets/connect/nonce say, and how many a user may hold open. */
  siwe: Readonly<{ domain: string; uri: string; nonceTtlSeconds: number; maxOpenNonces: number }>;
  /** Requests per window by category when the client has no override; windows scaled by windowScale. */
  rateLimits: Readonly<{ defaults: Readonly<Record<RateLimitCategory, number>>; windowScale: number }>;
}>;
