import { envSchema, type Config } from './schema.js';
import { RATE_LIMIT_CATEGORIES, type RateLimitCategory } from '../admin/rate-limits.js';

/** A configuration value is missing or malformed; the message names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables whose presence means "use these external parts, start nothing". */
export const EXTERNAL_PART_VARIABLES = ['DATABASE_URL', 'RPC_URL', 'BUNDLER_URL', 'PAYMASTER_URL'] as const;

/** Embedded mode applies when none of the external parts is configured. */
export function wantsEmbeddedStack(env: Record<string, string | undefined>): boolean {
  return EXTERNAL_PART_VARIABLES.every((name) => !env[name]);
}

/** Parses the environment into a frozen Config, or throws a ConfigError naming the first bad variable. */
export function parseConfig(env: Record<string, string | undefined>, mode: Config['mode']): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = String(issue.path[0] ?? 'configuration');
    const message = issue.code === 'invalid_type' && present[variable] === undefined ? 'is required' : issue.message;
    throw new ConfigError(`${variable} ${message}`);
  }
  const e = result.data;
  return Object.freeze({
    mode,
    port: e.PORT,
    host: e.HOST,
    metricsPort: e.METRICS_PORT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    logLevel: e.LOG_LEVEL,
    databaseUrl: e.DATABASE_URL,
    chain: Object.freeze({ rpcUrl: e.RPC_URL, bundlerUrl: e.BUNDLER_URL, paymasterUrl: e.PAYMASTER_URL, chainId: e.CHAIN_ID }),
    contracts: Object.freeze({
      entryPoint: e.ENTRY_POINT_ADDRESS,
      accountFactory: e.ACCOUNT_FACTORY_ADDRESS,
      token: e.TOKEN_ADDRESS,
      claimVault: e.CLAIM_VAULT_ADDRESS,
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
    }),
    webhooks: Object.freeze({
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS, timeoutMs: e.WEBHOOK_TIMEOUT_MS, allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS, retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
    }),
    validateResponses: e.VALIDATE_RESPONSES,
    rateLimits: Object.freeze({
      defaults: Object.freeze(Object.fromEntries(Object.entries(RATE_LIMIT_CATEGORIES)
        .map(([name, { limit }]) => [name, e.RATE_LIMIT_DEFAULTS?.[name as RateLimitCategory] ?? limit])) as Record<RateLimitCategory, number>),
      windowScale: e.RATE_LIMIT_WINDOW_SCALE,
    }),
  });
}
