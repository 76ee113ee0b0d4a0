// CPU time each part of the stack spent during a run, from /proc/<pid>/stat (user + system, all
// threads). Divided by the requests served it gives a cost per request
// that, unlike a rate, hardly moves when other work competes for the same cores.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Linux reports times in clock ticks; USER_HZ is 100 on every mainstream kernel build. Only the
 * process's own time counts, not that of children it reaped: otherwise a Postgres connection closing
 * during a run would add its whole lifetime's CPU to the postmaster's.
 */
const MS_PER_TICK = 10;

export type CpuTargets = Record<string, () => number[]>;

function stat(pid: number): { ppid: number; ms: number } | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), starting at field 3 (state).
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const [ppid, utime, stime] = [f[1], f[11], f[12]].map(Number);
    return { ppid, ms: (utime + stime) * MS_PER_TICK };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** The process and every live descendant (Postgres backends are children of the postmaster). */
export function withDescendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const s = stat(pid);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const visit = (pid: number) => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) visit(c);
  };
  visit(root);
  return out;
}

/** The first process whose command line contains `needle` (e.g. the postmaster's `-D <dir>`). */
export function findProcess(needle: string): number | undefined {
  for (const pid of allPids()) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(needle)) return pid;
    } catch {
      /* gone */
    }
  }
  return undefined;
}

export type CpuMeter = {
  stop(): Record<string, number>;
  /** After stop(): a target's CPU milliseconds per process title (Postgres: "io worker", "background writer"…). */
  byTitle(target: string): Record<string, number>;
};

/** Starts measuring; stop() returns the CPU milliseconds each named target used since. */
export function startCpuMeter(targets: CpuTargets): CpuMeter {
  const sample = () =>
    Object.fromEntries(
      Object.entries(targets).map(([name, pids]) => {
        const byPid = new Map<number, number>();
        for (const pid of pids()) {
          const s = stat(pid);
          if (s) byPid.set(pid, s.ms);
        }
        return [name, byPid];
      }),
    );
  const before = sample();
  let after: typeof before | undefined;
  // Per pid, so a backend that appeared during the run counts from zero and one that ended does not go negative.
  const delta = (name: string, pid: number, t: number) => t - (before[name].get(pid) ?? 0);
  return {
    stop() {
      after = sample();
      return Object.fromEntries(
        Object.entries(after).map(([name, pids]) => {
          let ms = 0;
          for (const [pid, t] of pids) ms += delta(name, pid, t);
          return [name, ms];
        }),
      );
    },
    byTitle(target) {
      const out: Record<string, number> = {};
      for (const [pid, t] of after?.[target] ?? []) {
        const title = processTitle(pid);
        out[title] = (out[title] ?? 0) + delta(target, pid, t);
      }
      return out;
    },
  };
}

/** The command line, shortened to what says what the process is (a backend's database, not its address). */
function processTitle(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return cmd
      .replace(/\d+\.\d+\.\d+\.\d+\(\d+\)/, '')
      .replace(/\s+(idle|active|idle in transaction).*$/, '')
      .replace(/ -D .*/, ' (postmaster)')
      .slice(0, 60);
  } catch {
    return `pid ${pid} (gone)`;
  }
}
