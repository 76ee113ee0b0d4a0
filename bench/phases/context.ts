import type { BenchStack } from '../stack.js';
import type { Cleanup } from '../cleanup.js';
import type { Progress } from '../progress.js';
import type { Flags } from '../flags.js';

/**
 * What every phase gets: the running stack, somewhere to register cleanup, progress, the flags, and
 * the folder to run Chronos from (a production build, or the checkout with --source).
 */
export type PhaseContext = { stack: BenchStack; cleanup: Cleanup; progress: Progress; flags: Flags; chronosRoot: string };

/** A measured figure next to its baseline; `ratio` is figure / baseline. */
export type Comparison = { unit: string; value: number; baseline: number; ratio: number; target: string; met: boolean };

export function compare(
  unit: string,
  value: number,
  baseline: number,
  target: { text: string; met: (c: { value: number; baseline: number; ratio: number }) => boolean },
): Comparison {
  const ratio = baseline === 0 ? NaN : value / baseline;
  return { unit, value, baseline, ratio, target: target.text, met: target.met({ value, baseline, ratio }) };
}

/** Extra environment of every Chronos process the bench starts. */
export function chronosEnv(flags: Flags): Record<string, string> {
  return flags.nodeOptions ? { NODE_OPTIONS: flags.nodeOptions } : {};
}
