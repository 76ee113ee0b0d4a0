// Building the shared context and running the API and the worker: the composition root's parts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run, Logger as GraphileLogger, type Runner, type TaskList } from 'graphile-worker';
import type { Config } from '../config/schema.js';
import type { AppContext } from '../context.js';
import { createDb, createPool } from '../db/connect.js';
import { createChainPublicClient } from '../chain/clients.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createClientCache } from '../auth/client-cache.js';
import { createApp } from '../http/app.js';
import { taskList } from '../jobs/index.js';

export type OpenContext = AppContext & { close(): Promise<void> };

export function openContext(config: Config, logger: Logger = createLogger({ level: config.logLevel })): OpenContext {
  const pool = createPool({
    connectionString: config.databaseUrl,
    max: 20,
    onError: (error) => logger.warn({ err: error }, 'idle database connection lost'),
  });
  const db = createDb(pool);
  return {
    config, pool, db, logger,
    publicClient: createChainPublicClient(config.chain),
    close: () => db.destroy(),
  };
}

export type RunningApi = { url: string; server: Server; close(): Promise<void> };

/** Listens, and on close stops accepting, lets in-flight requests finish, then closes idle sockets. */
export async function startApi(ctx: AppContext, { port, host }: { port: number; host: string }): Promise<RunningApi> {
  const app = createApp({ ...ctx, clients: createClientCache(ctx.db) });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${actualPort}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

export type RunningWorker = { runner: Runner; stop(): Promise<void> };

export async function startWorker(ctx: AppContext, { tasks = taskList(ctx) }: { tasks?: TaskList } = {}): Promise<RunningWorker> {
  const runner = await run({
    pgPool: ctx.pool,
    taskList: tasks,
    concurrency: ctx.config.worker.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: graphileLogger(ctx.logger),
  });
  return { runner, stop: () => runner.stop() };
}

function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const method = level === 'error' ? 'error' : level === 'warning' ? 'warn' : 'debug';
    logger[method]({ ...scope, ...meta, component: 'worker' }, message);
  });
}
