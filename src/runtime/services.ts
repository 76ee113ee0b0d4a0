// Building the shared context and running the API and the worker: the composition root's parts.
import { run, type Runner, type TaskList } from 'graphile-worker';
import type { Config } from '../config/schema.js';
import type { AppContext } from '../context.js';
import { createDb, createPool } from '../db/connect.js';
import { createChainPublicClient } from '../chain/clients.js';
import { createLogger, type CreateLoggerParameters, type Logger } from '../observability/logger.js';
import { createRouteContext } from '../http/route-context.js';
import { createApp } from '../http/app.js';
import { taskList } from '../jobs/index.js';
import { createStatusWaiter } from '../worker/status-waiter.js';
import { createLiveness } from '../worker/liveness.js';
import { createOrphanCheck } from '../worker/orphan-check.js';
import type { WorkerContext } from '../worker/context.js';
import { createUserOpClients } from '../userop/clients.js';
import { paymasterUrlOf } from '../userop/sponsorship/mode.js';
import type { StoredUserOperation } from '../db/schema.js';
import { sendStoredUserOperation } from '../userop/send.js';
import { createInclusionTracker, type CreateInclusionTrackerParameters, type InclusionTracker } from '../tracking/inclusion-tracker.js';
import { createAccountCache } from '../userop/account-cache.js';
import { createNotifications } from '../db/notifications.js';
import { STATUS_CHANNEL } from '../db/transaction-status.js';
import { createCommitSender } from '../webhooks/send-on-commit.js';
import { listen, type RunningServer } from './http-server.js';
import { graphileLogger } from '../observability/graphile-logger.js';

export type OpenContext = AppContext & { close(): Promise<void> };

/** The process logger, told this configuration's own secrets so that no line can carry them. */
export function createConfiguredLogger(config: Config, { destination }: Pick<CreateLoggerParameters, 'destination'> = {}): Logger {
  const rpcUrls = [...config.chain.rpcUrls, ...config.chain.bundlerUrls, paymasterUrlOf(config.sponsorship)].filter((url): url is string => !!url);
  const paymasterSignerKey = config.sponsorship.mode === 'own' ? config.sponsorship.signerKey : undefined;
  const secrets = [
    config.masterKey,
    config.jwt.secret,
    config.deployerPrivateKey,
    paymasterSignerKey,
    ...passwordIn(config.databaseUrl),
    ...rpcUrls.flatMap(credentialsIn),
  ];
  return createLogger({ level: config.logLevel, secrets, destination });
}

/**
 * The parts of a service URL that are credentials: a password, and the path and query where hosted
 * RPC providers put API keys (`/v2/<key>`, `?apikey=<key>`). viem's errors quote the URL they called.
 */
function credentialsIn(value: string): string[] {
  const url = new URL(value);
  const rest = `${url.pathname === '/' ? '' : url.pathname}${url.search}`;
  return rest ? [...passwordIn(value), rest] : passwordIn(value);
}

function passwordIn(value: string): string[] {
  const { password } = new URL(value);
  return password ? [password, decodeURIComponent(password)] : [];
}

export function openContext(config: Config, logger: Logger = createConfiguredLogger(config)): OpenContext {
  const pool = createPool({
    connectionString: config.databaseUrl,
    // Worker jobs and API requests share the pool; keep headroom above the job concurrency.
    max: Math.max(20, config.worker.concurrency + 8),
    onError: (error) =>
      logger.warn({ code: (error as { code?: string }).code, reason: error.message }, 'database connection lost; the pool reconnects on next use'),
  });
  const db = createDb(pool);
  return {
    config,
    pool,
    db,
    logger,
    publicClient: createChainPublicClient(config.chain),
    close: () => db.destroy(),
  };
}

export type RunningApi = RunningServer;

/** Listens; on close stops accepting, lets in-flight requests finish, and closes every connection (see http-server.ts). */
export async function startApi(ctx: AppContext, { port, host }: { port: number; host: string }): Promise<RunningApi> {
  return listen(createApp(createRouteContext(ctx)), { port, host });
}

export type RunningWorker = { runner: Runner; tracker: InclusionTracker; stop(): Promise<void> };

/**
 * The worker role: graphile-worker running the tasks, the inclusion tracker, the status waiter jobs
 * block on (both hearing status changes on one LISTEN connection), and the heartbeat that lets other
 * processes recover this one's jobs if it dies.
 */
export async function startWorker(
  ctx: AppContext,
  {
    tasks,
    tracker: trackerOptions,
    feeQuoteTtlMs,
  }: {
    tasks?: TaskList;
    /** Overrides of the tracker's pacing and of how long a fee quote is shared (tests). */
    tracker?: Omit<CreateInclusionTrackerParameters, 'pollMs'>;
    feeQuoteTtlMs?: number;
  } = {},
): Promise<RunningWorker> {
  const notifications = createNotifications(ctx, { channels: [STATUS_CHANNEL] });
  await notifications.start();
  const waiter = createStatusWaiter(ctx, { notifications });
  await waiter.start();
  // This process runs deliver_webhook, so it delivers webhooks: the terminal statuses it writes (the
  // tracker's settlements, the submit job's FAILED and EXPIRED) are sent by it as soon as they commit.
  const webhooksAtCommit = createCommitSender(ctx);
  const userOps = createUserOpClients(ctx.publicClient, { ...ctx.config.chain, sponsorship: ctx.config.sponsorship }, { feeQuoteTtlMs });
  // What a reorg takes out is sent again exactly as stored (the same signed operation and hash).
  const resend = (userOp: StoredUserOperation) => sendStoredUserOperation(userOps, { userOp, entryPoint: ctx.config.contracts.entryPoint });
  const tracker = createInclusionTracker({ ...ctx, webhooksAtCommit }, { pollMs: ctx.config.worker.trackerPollMs, notifications, resend, ...trackerOptions });
  const workerCtx: WorkerContext = { ...ctx, waiter, tracker, webhooksAtCommit, userOps, accounts: createAccountCache() };
  const liveness = createLiveness(ctx, ctx.config.worker.liveness);
  tracker.start();
  // graphile-worker gets a pool of its own, ended after it stops: after a database outage it can still
  // have reconnect timers pending, and those must find a closed pool rather than open new connections.
  const queuePool = createPool({
    connectionString: ctx.config.databaseUrl,
    max: ctx.config.worker.concurrency + 2,
    onError: (error) => ctx.logger.warn({ code: (error as { code?: string }).code, reason: error.message }, 'job queue connection lost'),
  });
  const runner = await run({
    pgPool: queuePool,
    taskList: tasks ?? taskList(workerCtx),
    concurrency: ctx.config.worker.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    gracefulShutdownAbortTimeout: 5_000,
    events: liveness.events,
    logger: graphileLogger(ctx.logger),
  });
  await liveness.start();
  const orphans = createOrphanCheck(ctx);
  orphans.start();
  return {
    runner,
    tracker,
    async stop() {
      orphans.stop();
      // Jobs still running need the waiter and the tracker until they finish or are aborted.
      await runner.stop();
      await tracker.stop();
      await waiter.stop();
      await notifications.stop();
      await liveness.stop();
      await queuePool.end();
    },
  };
}
