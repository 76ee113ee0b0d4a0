// One test file's world: its own database (cloned from the migrated template), a Chronos context on
// the shared chain/bundler/paymaster, and the Express app with response validation switched on.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { DestinationStream } from 'pino';
import { getAddress, isAddress, type Address } from 'viem';
import { contractEnvironment } from '../../src/chain/contracts/registry.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { createConfiguredLogger, openContext, startWorker, type OpenContext, type RunningWorker } from '../../src/runtime/services.js';
import { createLogger } from '../../src/observability/logger.js';
import { createApp } from '../../src/http/app.js';
import { createRouteContext } from '../../src/http/route-context.js';
import { createDatabase, dropDatabase } from '../../src/dev/embedded-postgres.js';
import { createClient, type CreateClientParameters } from '../../src/admin/clients.js';
import { TEMPLATE_DATABASE, TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from './stack-env.js';
import { deployTestClientCertificate, deployTestClientToken } from './client-tokens.js';
import { generateClientId } from '../../src/auth/secrets.js';

/** `tokenAddress`: the client's own ChronosToken (its signer, if any, authorized on it). */
export type TestClient = { clientId: string; clientSecret: string; webhookSecret: string; tokenAddress: Address };

/** `certificates`: deploy its own ChronosCertificate too, as the CLI does (off by default: most tests issue none). */
export type TestClientOptions = { certificates?: boolean };

export type TestApp = {
  app: Express;
  ctx: OpenContext;
  config: Config;
  databaseUrl: string;
  /** The configuration variables this app runs with (to start more processes on the same database). */
  env: Record<string, string>;
  /**
   * Registers a client straight in the database with its own ChronosToken, as the CLI would (deployed
   * for it, signer authorized), unless `tokenAddress` shares an existing one.
   */
  createClient(params?: Partial<CreateClientParameters> & TestClientOptions): Promise<TestClient>;
  /** The in-process worker, when started with `worker: true`. */
  worker?: RunningWorker;
  /** A fresh access token for the client. */
  tokenFor(client: TestClient): Promise<string>;
  close(): Promise<void>;
};

export function testEnvironment(databaseUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  const stack = testStackEnv();
  return {
    DATABASE_URL: databaseUrl,
    RPC_URL: stack.rpcUrl,
    BUNDLER_URL: stack.bundlerUrl,
    CHAIN_ID: String(stack.chainId),
    ...contractEnvironment(stack),
    // Chronos's own paymaster sponsors (the shared ChronosPaymaster); hostedSponsorship() switches to PAYMASTER_URL.
    PAYMASTER_SIGNER_KEY: TEST_PAYMASTER_SIGNER_KEY,
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    MASTER_KEY: `0x${randomBytes(32).toString('hex')}`,
    LOG_LEVEL: 'silent',
    VALIDATE_RESPONSES: 'true',
    // Tests poll and ask for tokens far faster than a real client; tests/policy sets real limits.
    RATE_LIMIT_DEFAULTS: 'general=1000000,minting=1000000,external=1000000,auth=1000000',
    ...overrides,
  };
}

/** Overrides that sponsor through the ERC-7677 service at `url` instead of Chronos's own paymaster. */
export function hostedSponsorship(url: string, context?: Record<string, unknown>): Record<string, string> {
  return { PAYMASTER_URL: url, PAYMASTER_SIGNER_KEY: '', PAYMASTER_ADDRESS: '', ...(context && { PAYMASTER_CONTEXT: JSON.stringify(context) }) };
}

export async function createTestDatabase(): Promise<string> {
  const stack = testStackEnv();
  const name = `t_${randomBytes(6).toString('hex')}`;
  await createDatabase(stack.pgAdminUrl, name, { template: TEMPLATE_DATABASE });
  const url = new URL(stack.pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(databaseUrl: string): Promise<void> {
  await dropDatabase(testStackEnv().pgAdminUrl, new URL(databaseUrl).pathname.slice(1));
}

/**
 * Straight to stdout: the default destination flushes its buffer on a 100 ms interval that nothing
 * stops, so every test file would leave one running after it ended, writing from a torn-down module
 * graph for the rest of the run.
 */
function testLogger() {
  return createLogger({ level: process.env.CHRONOS_TEST_LOG_LEVEL ?? 'silent', destination: process.stdout });
}

export async function createTestApp({
  env = {},
  clientCacheTtlMs,
  worker = false,
  reachDatabaseVia,
  logDestination,
}: {
  env?: Record<string, string>;
  clientCacheTtlMs?: number;
  worker?: boolean;
  /** Rewrites the database URL the app uses (e.g. through a proxy a test can take down). */
  reachDatabaseVia?: (url: URL) => URL;
  /** Logs as production does (LOG_LEVEL from `env`, this app's secrets scrubbed) into this stream, for tests that read the logs. */
  logDestination?: DestinationStream;
} = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const appDatabaseUrl = reachDatabaseVia ? reachDatabaseVia(new URL(databaseUrl)).toString() : databaseUrl;
  const fullEnv = testEnvironment(appDatabaseUrl, env);
  const config = parseConfig(fullEnv, 'external');
  const logger = logDestination ? createConfiguredLogger(config, { destination: logDestination }) : testLogger();
  const ctx = openContext(config, logger);
  const app = createApp(createRouteContext(ctx, { clientCacheTtlMs }));
  const running = worker ? await startWorker(ctx) : undefined;
  return {
    app,
    ctx,
    config,
    databaseUrl,
    env: fullEnv,
    worker: running,
    async createClient({ certificates, ...params } = {}) {
      const signer = params.signerAddress && isAddress(params.signerAddress) ? getAddress(params.signerAddress) : undefined;
      const tokenAddress = params.tokenAddress ?? (await deployTestClientToken({ signer })).token;
      const id = params.id ?? generateClientId();
      const certificateAddress = certificates
        ? (await deployTestClientCertificate({ masterKey: config.masterKey, clientId: id })).certificate
        : params.certificateAddress;
      const created = await createClient(ctx.db, { name: 'test client', ...params, id, tokenAddress, certificateAddress });
      return {
        clientId: created.client.clientId,
        clientSecret: created.clientSecret,
        webhookSecret: created.webhookSecret,
        tokenAddress: getAddress(tokenAddress),
      };
    },
    async tokenFor(client) {
      const res = await request(app).post('/api/v1/auth/token').send({ clientId: client.clientId, clientSecret: client.clientSecret });
      if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async close() {
      await running?.stop();
      await ctx.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}

/**
 * A second API process on the same database as `t`: its own pool and client cache, nothing shared in
 * memory, as another `chronos api` would run.
 */
export function createPeerApp(t: TestApp): { app: Express; close(): Promise<void> } {
  const ctx = openContext(parseConfig(t.env, 'external'), testLogger());
  const app = createApp(createRouteContext(ctx));
  return { app, close: () => ctx.close() };
}
