// `chronos start | api | worker`: the composition root. Builds configuration (bringing up the embedded
// stack when nothing is configured), runs the chosen roles, and shuts down cleanly on SIGTERM/SIGINT
// (and SIGHUP with the embedded stack): stop accepting, drain requests and jobs, stop the worker, close the pools, and only then stop
// the embedded parts (README, "Graceful shutdown").
import { checkEmbeddedEnvironment, ConfigError, describeExternalMode, parseConfig, wantsEmbeddedStack } from '../../../config/load.js';
import type { Config } from '../../../config/schema.js';
import { createLogger } from '../../../observability/logger.js';
import { migrate } from '../../../db/migrate.js';
import { openContext, startApi, startWorker, type RunningApi, type RunningWorker } from '../../../runtime/services.js';
import { DEFAULT_WORKER_METRICS_PORT, startOpsServer } from '../../../runtime/ops-server.js';
import type { RunningServer } from '../../../runtime/http-server.js';
import type { EmbeddedStack } from '../../../runtime/embedded-stack.js';
import { printBanner } from '../../../runtime/banner.js';
import { chronosHome } from '../../../runtime/home.js';
import { assertChainId } from '../../../runtime/chain-id-check.js';
import { PortInUseError } from '../../../dev/port-in-use.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';

export type Role = 'start' | 'api' | 'worker';

/** Signals closer together than this are one Ctrl-C delivered twice (by the terminal and by npm). */
const SAME_KEYPRESS_MS = 500;

export async function runService(_input: CommandInput, role: Role): Promise<void> {
  const env = process.env;
  const embedded = wantsEmbeddedStack(env);
  if (embedded && role !== 'start')
    throw new UsageError(`chronos ${role} needs DATABASE_URL, RPC_URL, BUNDLER_URL and PAYMASTER_URL; only 'chronos start' brings up the embedded stack`);
  let stack: EmbeddedStack | undefined;
  let config: Config;
  // Signals are ours from here on: a Ctrl-C while the embedded stack comes up stops what it started.
  const startup = new AbortController();
  let shutdown: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => (shutdown ? shutdown(signal) : startup.abort(signal));
  // SIGHUP (the terminal closed) too for the embedded stack, whose parts would otherwise outlive us; not
  // in production, where it would override nohup and turn a service manager's reload into a stop.
  for (const signal of embedded ? (['SIGINT', 'SIGTERM', 'SIGHUP'] as const) : (['SIGINT', 'SIGTERM'] as const)) process.on(signal, onSignal);
  if (embedded) {
    const early = checkEmbeddedEnvironment(env);
    const bootLogger = createLogger({ level: early.logLevel });
    // Loaded only here: the embedded parts are development dependencies, absent from production images.
    const { startEmbeddedStack } = await import('../../../runtime/embedded-stack.js');
    try {
      stack = await startEmbeddedStack({
        home: chronosHome(env),
        logger: bootLogger,
        ports: early.embeddedPorts,
        api: { port: early.port, host: early.host },
        signal: startup.signal,
      });
    } catch (error) {
      if (!startup.signal.aborted) throw error;
      bootLogger.info({ signal: startup.signal.reason }, 'interrupted during start-up; stopped what had started');
      process.exit(0);
    }
    try {
      config = parseConfig({ ...env, ...stack.env }, 'embedded');
    } catch (error) {
      await stack.stop();
      throw error;
    }
  } else {
    try {
      config = parseConfig(env, 'external');
    } catch (error) {
      // The usual surprise: a .env copied from .env.example turned `npm start` into external mode.
      if (role === 'start' && error instanceof ConfigError) throw new ConfigError(error.problems, describeExternalMode(env));
      throw error;
    }
  }

  const ctx = openContext(config);
  let api: RunningApi | undefined;
  let worker: RunningWorker | undefined;
  let ops: RunningServer | undefined;
  let stoppingSince: number | undefined;
  let starting: Promise<void> = Promise.resolve();
  const stopGracefully = async (signal: string) => {
    if (stoppingSince !== undefined) {
      // `npm start` forwards the terminal's Ctrl-C to us although the terminal sent it to us already:
      // the same keypress arrives twice within milliseconds. Only a later signal means "now".
      if (Date.now() - stoppingSince < SAME_KEYPRESS_MS) return;
      ctx.logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
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
  shutdown = (signal) => void stopGracefully(signal);
  // A signal that came after the embedded stack was up but before this point: act on it now.
  if (startup.signal.aborted) shutdown(startup.signal.reason as NodeJS.Signals);

  starting = (async () => {
    if (config.mode === 'external') {
      await assertChainId(config, ctx.logger);
      await migrate(ctx.pool);
    }
    if (role !== 'worker') api = await startApi(ctx, { port: config.port, host: config.host }).catch(portHint(config.port, 'PORT'));
    if (role !== 'api') {
      worker = await startWorker(ctx);
      // If graphile-worker gives up (e.g. it could not record a job's outcome for a long time), this
      // process must not linger holding job locks behind a live heartbeat: exit, and be restarted.
      worker.runner.promise.catch((error: unknown) => {
        if (stoppingSince !== undefined) return;
        ctx.logger.fatal({ err: error }, 'the job runner stopped unexpectedly; exiting so a supervisor restarts this process');
        process.exit(1);
      });
    }
    // A worker has no API port; probes and Prometheus reach it here (and any role's /metrics when METRICS_PORT is set).
    if (role === 'worker' || config.metricsPort !== undefined) {
      const port = config.metricsPort ?? DEFAULT_WORKER_METRICS_PORT;
      ops = await startOpsServer(ctx, { port, host: config.host }).catch(portHint(port, 'METRICS_PORT'));
    }
  })();
  try {
    await starting;
  } catch (error) {
    if (stoppingSince !== undefined) return; // shutdown() finishes the job
    await api?.close();
    await worker?.stop();
    await ctx.close();
    await stack?.stop();
    throw error;
  }
  if (stoppingSince !== undefined) return;
  if (stack && api) {
    const dev = await stack.writeDevFile({ apiUrl: api.url });
    printBanner(dev);
  } else {
    const why = role === 'start' ? describeExternalMode(env) : undefined;
    ctx.logger.info({ role, url: api?.url, metricsUrl: ops ? `${ops.url}/metrics` : undefined, mode: why }, 'chronos is running');
  }
}

/** EADDRINUSE from listen() becomes the one line that names the port, its holder and the variable. */
function portHint(port: number, variable: string) {
  return async (error: unknown): Promise<never> => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw await PortInUseError.describe(port, variable);
    throw error;
  };
}
