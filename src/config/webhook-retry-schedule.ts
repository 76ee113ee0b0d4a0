// WEBHOOK_RETRY_SCHEDULE and the two variables it replaced, read into one list of waits (ms), one per
// retry. Here rather than in src/webhooks/ so that the configuration depends on nothing above it.
export type RetrySchedule = readonly number[];

/**
 * Standard Webhooks' schedule: after the immediate attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
 * (about 27.5 hours), so a receiver down for a whole day still gets every event once it is back.
 */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,10h';
/** The old exponential schedule (WEBHOOK_RETRY_BASE_MS × 4^(n-1)) never waited longer than this. */
export const LEGACY_MAX_DELAY_MS = 60 * 60 * 1000;
const LEGACY_GROWTH = 4;
const LEGACY_DEFAULTS = { maxAttempts: 5, baseMs: 5_000 };

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `5s,5m,30m,2h` → waits in ms. Each entry is a whole number with a unit (ms, s, m, h, d); `none`
 * means no retries at all. Throws with a message saying what is wrong.
 */
export function parseRetrySchedule(text: string): RetrySchedule {
  const trimmed = text.trim();
  if (trimmed === 'none') return Object.freeze([]);
  const waits = trimmed.split(',').map((raw) => {
    const entry = raw.trim();
    const match = /^(\d+)(ms|s|m|h|d)$/.exec(entry);
    if (!match) throw new Error(`'${entry}' is not a wait like 500ms, 5s, 5m, 2h or 1d`);
    const ms = Number(match[1]) * UNITS[match[2]];
    if (ms <= 0) throw new Error(`'${entry}' must be longer than zero`);
    return ms;
  });
  return Object.freeze(waits);
}

/** The old configuration as a schedule: base × 4^(n-1) for n = 1 … maxAttempts-1, each capped at an hour. */
export function legacyRetrySchedule({ maxAttempts, baseMs }: { maxAttempts: number; baseMs: number }): RetrySchedule {
  return Object.freeze(Array.from({ length: maxAttempts - 1 }, (_, i) => Math.min(LEGACY_MAX_DELAY_MS, baseMs * LEGACY_GROWTH ** i)));
}

export type RetryScheduleSource = 'WEBHOOK_RETRY_SCHEDULE' | 'WEBHOOK_MAX_ATTEMPTS/WEBHOOK_RETRY_BASE_MS' | 'default';

/**
 * Which schedule applies: WEBHOOK_RETRY_SCHEDULE when set; else, when an operator set either of the
 * old variables, the old schedule they describe (the other one at its old default), so an upgrade
 * keeps the retries it was tuned for; else the default. Setting both kinds is refused in load.ts.
 */
export function resolveRetrySchedule(e: { WEBHOOK_RETRY_SCHEDULE?: RetrySchedule; WEBHOOK_MAX_ATTEMPTS?: number; WEBHOOK_RETRY_BASE_MS?: number }): {
  schedule: RetrySchedule;
  source: RetryScheduleSource;
} {
  if (e.WEBHOOK_RETRY_SCHEDULE) return { schedule: e.WEBHOOK_RETRY_SCHEDULE, source: 'WEBHOOK_RETRY_SCHEDULE' };
  if (e.WEBHOOK_MAX_ATTEMPTS !== undefined || e.WEBHOOK_RETRY_BASE_MS !== undefined) {
    return {
      schedule: legacyRetrySchedule({
        maxAttempts: e.WEBHOOK_MAX_ATTEMPTS ?? LEGACY_DEFAULTS.maxAttempts,
        baseMs: e.WEBHOOK_RETRY_BASE_MS ?? LEGACY_DEFAULTS.baseMs,
      }),
      source: 'WEBHOOK_MAX_ATTEMPTS/WEBHOOK_RETRY_BASE_MS',
    };
  }
  return { schedule: parseRetrySchedule(DEFAULT_RETRY_SCHEDULE), source: 'default' };
}

/** Both the schedule and an old variable set: which one is meant is not ours to guess. */
export function retryScheduleProblems(env: Record<string, string>): Map<string, string> {
  const legacy = ['WEBHOOK_MAX_ATTEMPTS', 'WEBHOOK_RETRY_BASE_MS'].filter((name) => env[name] !== undefined);
  if (env.WEBHOOK_RETRY_SCHEDULE === undefined || legacy.length === 0) return new Map();
  return new Map([
    [
      'WEBHOOK_RETRY_SCHEDULE',
      `WEBHOOK_RETRY_SCHEDULE and ${legacy.join(' and ')} are both set: the schedule replaces them. Unset ${legacy.join(' and ')} (its length is the number of retries)`,
    ],
  ]);
}
