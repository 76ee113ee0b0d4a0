// `chronos start | api | worker`: the composition root. Builds configuration (bringing up the embedded
// stack when nothing is configured), runs the chosen roles, and shuts down cleanly on SIGTERM/SIGINT.
import { parseConfig, wantsEmbeddedStack } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { createLogger } from '../../observability/logger.js';
import { migrate } from '../../db/migrate.js';
import { openContext, startApi, startWorker, type RunningApi, type RunningWorker } from '../../runtime/services.js';
import type { EmbeddedStack } from '../../runtime/embedded-stack.js';
import { printBanner } from '../../runtime/banner.js';
import { chronosHome } from '../../runtime/home.js';
import { UsageError, type Output } from '../output.js';

export type Role = 'start' | 'api' | 'worker';

/** How long in-flight requests and jobs get to finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 25_000;

export async function runCommand(_out: Output, { role }: { role: Role }): Promise<void> {
  const env = process.env;
  const bootLogger = createLogger({ level: env.LOG_LEVEL ?? 'info' });
  let stack: EmbeddedStack | undefined;
  let config: Config;
  if (wantsEmbeddedStack(env)) {
    if (role !== 'start') throw new UsageError(`chronos ${role} needs DATABASE_URL, RPC_URL, BUNDLER_URL and PAYMASTER_URL; only 'chronos start' brings up the embedded stack`);
    // Loaded only here: the embedded parts are development dependencies, absent from production images.
    const { startEmbeddedStack } = await import('../../runtime/embedded-stack.js');
    stack = await startEmbeddedStack({ home: chronosHome(env), logger: bootLogger });
    try {
      config = parseConfig({ ...env, ...stack.env }, 'embedded');
    } catch (error) {
      await stack.stop();
      throw error;
    }
  } else {
    config = parseConfig(env, 'external');
  }

  const ctx = openContext(config, createLogger({ level: config.logLevel }));
  let api: RunningApi | undefined;
  let worker: RunningWorker | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      ctx.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down: no new requests; finishing in-flight requests and jobs');
    const force = setTimeout(() => { ctx.logger.error('shutdown grace period over; exiting'); process.exit(1); }, SHUTDOWN_GRACE_MS);
    force.unref();
    await api?.close();
    await worker?.stop();
    await ctx.close();
    await stack?.stop();
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    if (config.mode === 'external') await migrate(ctx.pool);
    if (role !== 'worker') api = await startApi(ctx, { port: config.port, host: config.host });
    if (role !== 'api') worker = await startWorker(ctx);
  } catch (error) {
    await api?.close();
    await ctx.close();
    await stack?.stop();
    throw error;
  }
  if (stack && api) {
    const dev = await stack.writeDevFile({ apiUrl: api.url });
    printBanner(dev);
  } else {
    ctx.logger.info({ role, url: api?.url }, 'chronos is running');
  }
}
