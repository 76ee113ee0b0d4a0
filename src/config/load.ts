import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseGwei } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import type { z } from 'zod';
import { envSchema, type Config, type EmbeddedPorts } from './schema.js';
import type { Sponsorship } from '../userop/sponsorship/mode.js';
import { RATE_LIMIT_CATEGORIES, type RateLimitCategory } from '../policy/rate-limit-categories.js';
import { CHRONOS_CONTRACTS, mapChronosContracts, type ConfiguredContractAddresses } from '../chain/contracts/registry.js';
import { DEFAULT_BACKOFF } from '../chain/http-backoff.js';
import { resolveRetrySchedule, retryScheduleProblems } from './webhook-retry-schedule.js';

/** Configuration values are missing or malformed; the message names each variable, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly problems: readonly string[];

  /** `note` is a last line of context, e.g. why this start is in external mode. */
  constructor(problems: string | readonly string[], note?: string) {
    const list = typeof problems === 'string' ? [problems] : problems;
    const text = list.length === 1 ? list[0] : `${list.length} problems\n${list.map((p) => `  ${p}`).join('\n')}`;
    super(note ? `${text}\n  (${note})` : text);
    this.problems = list;
  }
}

/** Variables whose presence means "use these external parts, start nothing". */
export const EXTERNAL_PART_VARIABLES = ['DATABASE_URL', 'RPC_URL', 'BUNDLER_URL', 'PAYMASTER_URL'] as const;

/** What the embedded stack provides itself; the rest of the environment is checked before it starts. */
const EMBEDDED_STACK_VARIABLES = [
  ...EXTERNAL_PART_VARIABLES,
  'CHAIN_ID',
  ...CHRONOS_CONTRACTS.map((c) => c.variable),
  'ENTRY_POINT_ADDRESS',
  'ACCOUNT_FACTORY_ADDRESS',
  'PAYMASTER_SIGNER_KEY',
  'JWT_SECRET',
  'MASTER_KEY',
  'WEBHOOK_ALLOW_PRIVATE_TARGETS',
] as const;

/** Embedded mode applies when none of the external parts is configured. */
export function wantsEmbeddedStack(env: Record<string, string | undefined>): boolean {
  return EXTERNAL_PART_VARIABLES.every((name) => !env[name]);
}

/**
 * Which variables made this an external-mode start, and whether `.env` set them: a `.env` copied from
 * `.env.example` is the usual way to end up there without meaning to.
 */
export function describeExternalMode(env: Record<string, string | undefined>, dotenvPath = join(process.cwd(), '.env')): string {
  const set = EXTERNAL_PART_VARIABLES.filter((name) => env[name]);
  let fromFile: string[] = [];
  try {
    const parsed = parseDotenv(readFileSync(dotenvPath));
    fromFile = set.filter((name) => parsed[name] === env[name]);
  } catch {
    /* no .env */
  }
  const origin = fromFile.length ? ` (${fromFile.length === set.length ? '' : `${fromFile.join(', ')} `}from ${dotenvPath})` : '';
  return `external services, not the embedded stack, because ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set${origin}; unset all of ${EXTERNAL_PART_VARIABLES.join(', ')} for the embedded stack`;
}

/**
 * In embedded mode, everything the stack does not provide, checked before anything starts: a bad
 * LOG_LEVEL or PORT must not cost a minute of bring-up first. Returns what the start-up needs.
 */
export function checkEmbeddedEnvironment(env: Record<string, string | undefined>): Pick<Config, 'logLevel' | 'port' | 'host' | 'embeddedPorts'> {
  const omitted = Object.fromEntries(EMBEDDED_STACK_VARIABLES.map((name) => [name, true])) as Record<(typeof EMBEDDED_STACK_VARIABLES)[number], true>;
  const e = parseOrThrow(envSchema.omit(omitted), withEmbeddedDefaults(env));
  return { logLevel: e.LOG_LEVEL, port: e.PORT, host: e.HOST, embeddedPorts: embeddedPortsOf(e) };
}

/** Parses the environment into a frozen Config, or throws a ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>, mode: Config['mode']): Config {
  const e = parseOrThrow(
    envSchema,
    mode === 'embedded' ? withEmbeddedDefaults(env) : env,
    (present) => new Map([...sponsorshipProblems(present), ...retryScheduleProblems(present)]),
  );
  const retries = resolveRetrySchedule(e);
  // A live worker must beat several times before it could be presumed dead, or its jobs would be taken
  // from it (and, by the orphan sweep, its fresh locks freed) while it still runs them.
  if (e.WORKER_STALE_AFTER_MS < 3 * e.WORKER_HEARTBEAT_MS) {
    throw new ConfigError(`WORKER_STALE_AFTER_MS (${e.WORKER_STALE_AFTER_MS}) must be at least 3 × WORKER_HEARTBEAT_MS (${e.WORKER_HEARTBEAT_MS})`);
  }
  // Two answers to one question: a depth at the head, or the RPC's own safe/finalized block.
  if (e.CONFIRMATIONS > 0 && e.CONFIRM_AT !== 'latest') {
    throw new ConfigError(`CONFIRMATIONS (${e.CONFIRMATIONS}) and CONFIRM_AT=${e.CONFIRM_AT} both say when an inclusion counts; set one of them`);
  }
  const siwe = siweOf(e);
  return Object.freeze({
    mode,
    port: e.PORT,
    host: e.HOST,
    trustProxy: e.TRUST_PROXY ?? false,
    metricsPort: e.METRICS_PORT,
    embeddedPorts: embeddedPortsOf(e),
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    chain: Object.freeze({
      rpcUrl: e.RPC_URL[0],
      bundlerUrl: e.BUNDLER_URL[0],
      rpcUrls: e.RPC_URL,
      bundlerUrls: e.BUNDLER_URL,
      chainId: e.CHAIN_ID,
      backoff: Object.freeze({ ...DEFAULT_BACKOFF, attempts: e.RPC_RETRY_ATTEMPTS, capMs: e.RPC_RETRY_MAX_WAIT_SECONDS * 1_000 }),
    }),
    sponsorship: sponsorshipOf(e),
    contracts: Object.freeze({
      entryPoint: e.ENTRY_POINT_ADDRESS,
      accountFactory: e.ACCOUNT_FACTORY_ADDRESS,
      ...(mapChronosContracts((c) => e[c.variable]) as ConfiguredContractAddresses),
    }),
    jwt: Object.freeze({ secret: e.JWT_SECRET, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.JWT_TTL_SECONDS }),
    masterKey: e.MASTER_KEY,
    deployerPrivateKey: e.DEPLOYER_PRIVATE_KEY,
    worker: Object.freeze({
      concurrency: e.WORKER_CONCURRENCY,
      trackerPollMs: e.TRACKER_POLL_MS,
      liveness: Object.freeze({ intervalMs: e.WORKER_HEARTBEAT_MS, staleAfterMs: e.WORKER_STALE_AFTER_MS }),
    }),
    transactions: Object.freeze({
      mintExpiryBlocks: e.MINT_EXPIRY_BLOCKS,
      inclusionTimeoutSeconds: e.INCLUSION_TIMEOUT_SECONDS,
      stalledAfterSeconds: e.STALLED_AFTER_SECONDS,
      acceptQueueMax: e.ACCEPT_QUEUE_MAX,
      maxParallelPerAccount: e.MAX_PARALLEL_OPS_PER_ACCOUNT,
      batchTransferMaxRecipients: e.BATCH_TRANSFER_MAX_RECIPIENTS,
    }),
    tracking: Object.freeze({ confirmations: e.CONFIRMATIONS, confirmAt: e.CONFIRM_AT, maxLogRange: e.TRACKER_MAX_LOG_RANGE }),
    fees: Object.freeze({
      spikeWaitSeconds: e.FEE_SPIKE_WAIT_SECONDS,
      ...(e.MAX_FEE_PER_GAS_GWEI !== undefined && { maxFeePerGasWei: parseGwei(e.MAX_FEE_PER_GAS_GWEI) }),
    }),
    prices: Object.freeze({ ...(e.NATIVE_TOKEN_USD_PRICE !== undefined && { nativeTokenUsd: e.NATIVE_TOKEN_USD_PRICE }) }),
    webhooks: Object.freeze({
      maxAttempts: retries.schedule.length + 1,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      retryScheduleMs: retries.schedule,
      retryScheduleFrom: retries.source,
    }),
    validateResponses: e.VALIDATE_RESPONSES,
    siwe,
    rateLimits: Object.freeze({
      defaults: Object.freeze(
        Object.fromEntries(
          Object.entries(RATE_LIMIT_CATEGORIES).map(([name, { limit }]) => [name, e.RATE_LIMIT_DEFAULTS?.[name as RateLimitCategory] ?? limit]),
        ) as Record<RateLimitCategory, number>,
      ),
      windowScale: e.RATE_LIMIT_WINDOW_SCALE,
    }),
  });
}

/**
 * The domain and URI of the SIWE messages: each given, derived from the other (the URI's host; https
 * on the domain), or localhost at PORT. Checked by building a message, so a domain viem would refuse
 * stops the boot instead of every nonce request.
 */
function siweOf(e: z.output<typeof envSchema>): Config['siwe'] {
  const domain = e.SIWE_DOMAIN ?? (e.SIWE_URI ? new URL(e.SIWE_URI).host : `localhost:${e.PORT}`);
  const uri = e.SIWE_URI ?? (e.SIWE_DOMAIN ? `https://${e.SIWE_DOMAIN}` : `http://localhost:${e.PORT}`);
  try {
    createSiweMessage({
      domain,
      uri,
      address: '0x0000000000000000000000000000000000000000',
      chainId: e.CHAIN_ID,
      nonce: 'configcheck',
      version: '1',
    });
  } catch {
    const variable = e.SIWE_DOMAIN ? 'SIWE_DOMAIN' : 'SIWE_URI';
    throw new ConfigError(`${variable} must be an RFC 3986 authority like app.example.org or localhost:3000 (got ${domain}, URI ${uri})`);
  }
  return Object.freeze({ domain, uri, nonceTtlSeconds: e.SIWE_NONCE_TTL_SECONDS, maxOpenNonces: e.SIWE_MAX_OPEN_NONCES });
}

const OWN_SPONSORSHIP_VARIABLES = ['PAYMASTER_SIGNER_KEY', 'PAYMASTER_ADDRESS'] as const;

/**
 * Exactly one sponsorship mode: PAYMASTER_URL (a hosted ERC-7677 paymaster), or Chronos's own
 * paymaster with its address and signer key. Both, or half of the own one, is refused at boot, in the
 * same list as every other problem.
 */
function sponsorshipProblems(env: Record<string, string>): Map<string, string> {
  const problems = new Map<string, string>();
  const own = OWN_SPONSORSHIP_VARIABLES.filter((name) => env[name] !== undefined);
  if (env.PAYMASTER_URL) {
    if (own.length > 0) {
      problems.set(
        'PAYMASTER_URL',
        `PAYMASTER_URL and ${own.join(' and ')} are both set: exactly one sponsorship mode is active. Unset PAYMASTER_URL to sponsor with Chronos's own paymaster, or ${own.join(' and ')} to use the ERC-7677 paymaster at PAYMASTER_URL`,
      );
    }
    return problems;
  }
  for (const name of OWN_SPONSORSHIP_VARIABLES) {
    if (env[name] === undefined) problems.set(name, `${name} is required (Chronos's own paymaster sponsors unless PAYMASTER_URL names an ERC-7677 one)`);
  }
  if (env.PAYMASTER_CONTEXT !== undefined)
    problems.set('PAYMASTER_CONTEXT', 'PAYMASTER_CONTEXT is only sent to a hosted paymaster: set PAYMASTER_URL, or unset it');
  return problems;
}

function sponsorshipOf(e: z.output<typeof envSchema>): Sponsorship {
  if (e.PAYMASTER_URL) return Object.freeze({ mode: 'hosted', url: e.PAYMASTER_URL, ...(e.PAYMASTER_CONTEXT && { context: e.PAYMASTER_CONTEXT }) });
  // sponsorshipProblems made sure both are there.
  return Object.freeze({
    mode: 'own',
    paymaster: e.PAYMASTER_ADDRESS!,
    signerKey: e.PAYMASTER_SIGNER_KEY!,
    validSeconds: e.SPONSORSHIP_VALID_SECONDS,
    minCoverSeconds: e.PAYMASTER_DEPOSIT_MIN_COVER_SECONDS,
  });
}

/** Everything wrong at once, one variable per line, rather than one fix-and-retry per variable. */
function parseOrThrow<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  crossChecks: (present: Record<string, string>) => Map<string, string> = () => new Map(),
): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string>;
  const result = schema.safeParse(present);
  const crossed = crossChecks(present);
  if (result.success && crossed.size === 0) return result.data;
  const problems = new Map<string, string>();
  for (const issue of result.success ? [] : result.error.issues) {
    const variable = String(issue.path[0] ?? 'configuration');
    if (problems.has(variable)) continue; // the first complaint about a variable is the useful one
    const message = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
    problems.set(variable, `${variable} ${message}`);
  }
  for (const [variable, problem] of crossed) if (!problems.has(variable)) problems.set(variable, problem);
  throw new ConfigError([...problems.values()]);
}

/** The embedded default listens on loopback only, like every part of the stack it runs. */
function withEmbeddedDefaults(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return env.HOST ? env : { ...env, HOST: '127.0.0.1' };
}

function embeddedPortsOf(e: { EMBEDDED_POSTGRES_PORT: number; EMBEDDED_CHAIN_PORT: number; EMBEDDED_BUNDLER_PORT: number }): EmbeddedPorts {
  return Object.freeze({ postgres: e.EMBEDDED_POSTGRES_PORT, chain: e.EMBEDDED_CHAIN_PORT, bundler: e.EMBEDDED_BUNDLER_PORT });
}
