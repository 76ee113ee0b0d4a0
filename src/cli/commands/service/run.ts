// `chronos start | api | worker`: the composition root. Builds configuration (bringing up the embedded
// stack when nothing is configured), runs the chosen roles, and shuts down cleanly on SIGTERM/SIGINT.
import { parseConfig, wantsEmbeddedStack } from '../../../config/load.js';
import type { Config } from '../../../config/schema.js';
import { createLogger } from '../../../observability/logger.js';
import { migrate } from '../../../db/migrate.js';
import { openContext, startApi, startWorker, type RunningApi, type RunningWorker } from '../../../runtime/services.js';
import { startOpsServer } from '../../../runtime/ops-server.js';
import type { RunningServer } from '../../../runtime/http-server.js';
import type { EmbeddedStack } from '../../../runtime/embedded-stack.js';
import { printBanner } from '../../../runtime/banner.js';
import { chronosHome } from '../../../runtime/home.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';

export type Role = 'start' | 'api' | 'worker';

export async function runService(_input: CommandInput, role: Role): Promise<void> {
  const env = process.env;
  const bootLogger = createLogger({ level: env.LOG_LEVEL ?? 'info' });
  let stack: EmbeddedStack | undefined;
  let config: Config;
  if (wantsEmbeddedStack(env)) {
    if (role !== 'start') throw new UsageError(`chronos ${role} needs DATABASE_URL, RPC_URL, BUNDLER_URL and PAYMASTER_URL; only 'chronos start' brings up the embedded stack`);
    // Loaded only here: the embedded parts are development dependencies, absent from production images.
    const { startEmbeddedStack } = await import('../../../runtime/embedded-stack.js');
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

  const ctx = openContext(config);
  let api: RunningApi | undefined;
  let worker: RunningWorker | undefined;
  let ops: RunningServer | undefined;
  let stopping = false;
  let starting: Promise<void> = Promise.resolve();
  const shutdown = async (signal: string) => {
    if (stopping) {
      ctx.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    ctx.logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections; finishing in-flight requests and jobs');
    const force = setTimeout(() => {
      ctx.logger.error('shutdown grace period over; exiting with work unfinished (interrupted jobs are retried by the next worker)');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    // A signal during start-up: let it finish, then stop what it started.
    await starting.catch(() => {});
    // Both drains at once: the process takes as long as the longer one, not their sum.
    await Promise.all([api?.close(), worker?.stop()]);
    await ops?.close();
    await ctx.close();
    await stack?.stop();
    clearTimeout(force);
    ctx.logger.info({ signal }, 'shut down cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  starting = (async () => {
    if (config.mode === 'external') await migrate(ctx.pool);
    if (role !== 'worker') api = await startApi(ctx, { port: config.port, host: config.host });
    if (role !== 'api') {
      worker = await startWorker(ctx);
      // If graphile-worker gives up (e.g. it could not record a job's outcome for a long time), this
      // process must not linger holding job locks behind a live heartbeat: exit, and be restarted.
      worker.runner.promise.catch((error: unknown) => {
        if (stopping) return;
        ctx.logger.fatal({ err: error }, 'the job runner stopped unexpectedly; exiting so a supervisor restarts this process');
        process.exit(1);
      });
    }
    // A worker has no API port; probes and Prometheus reach it here.
    if (role === 'worker') ops = await startOpsServer(ctx, { port: config.metricsPort, host: config.host });
  })();
  try {
    await starting;
  } catch (error) {
    if (stopping) return; // shutdown() finishes the job
    await api?.close();
    await worker?.stop();
    await ctx.close();
    await stack?.stop();
    throw error;
  }
  if (stopping) return;
  if (stack && api) {
    const dev = await stack.writeDevFile({ apiUrl: api.url });
    printBanner(dev);
  } else {
    ctx.logger.info({ role, url: api?.url, metricsUrl: ops ? `${ops.url}/metrics` : undefined }, 'chronos is running');
  }
}
