// The results: one table on stdout, and every figure in JSON (bench/results/latest.json).
import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Comparison } from './phases/context.js';
import type { AcceptResults } from './phases/accept.js';
import type { EndToEndResults } from './phases/end-to-end.js';
import type { TrackingResults } from './phases/tracking.js';
import type { HotUserResults } from './phases/hot-user.js';
import type { StatusResults } from './phases/status-read.js';
import type { Flags } from './flags.js';
import { round } from './stats.js';

export type BenchResults = {
  startedAt: string;
  finishedAt?: string;
  machine: ReturnType<typeof describeMachine>;
  flags: Flags;
  accept?: AcceptResults;
  endToEnd?: EndToEndResults;
  hotUser?: HotUserResults;
  tracking?: TrackingResults;
  status?: StatusResults;
  /** Every comparison in one place: figure, baseline, ratio (figure / baseline), target, met. */
  comparisons: Record<string, Comparison>;
  error?: string;
};

export function describeMachine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown';
  const load = (() => {
    try {
      return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    } catch {
      return [];
    }
  })();
  return { nproc: cpus().length, cpuModel: model, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverageAtStart: load };
}

export function collectComparisons(r: BenchResults): Record<string, Comparison> {
  const out: Record<string, Comparison> = {};
  if (r.accept) {
    out.acceptThroughput = r.accept.comparisons.throughput;
    out.acceptP99AtHalfLoad = r.accept.comparisons.p99AtHalfLoad;
    out.acceptP99AtHalfLoadAutocannon = r.accept.comparisons.p99AtHalfLoadAutocannon;
  }
  if (r.endToEnd) {
    out.endToEndThroughput = r.endToEnd.comparisons.throughput;
    out.endToEndLatencyP50 = r.endToEnd.comparisons.latencyP50;
    out.webhookLatencyP50 = r.endToEnd.comparisons.webhookP50;
    out.peakRss = r.endToEnd.comparisons.peakRss;
  }
  if (r.hotUser) out.oneUserThroughput = r.hotUser.comparisons.oneUserThroughput;
  if (r.tracking) out.trackingCallsPerBlock = r.tracking.comparisons.callsPerBlock;
  if (r.status) {
    out.statusReadP99 = r.status.comparisons.p99;
    out.statusListP99 = r.status.comparisons.listP99;
  }
  return out;
}

export async function writeResults(path: string, results: BenchResults): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, (_k, v) => (typeof v === 'number' ? round(v, 3) : v), 2)}\n`);
}

type Row = [figure: string, chronos: string, baseline: string, ratio: string, target: string];

export function formatTable(r: BenchResults): string {
  const rows: Row[] = [];
  const f = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
  const mark = (c: Comparison) => `${c.met ? '✓' : '✗'} ${c.target}`;
  const ratio = (c: Comparison) => (Number.isFinite(c.ratio) ? `${c.ratio.toFixed(2)}×` : '—');
  const cpuSum = (cpu: Record<string, number> | undefined, skip: string[] = []) =>
    Object.entries(cpu ?? {})
      .filter(([name]) => !skip.includes(name))
      .reduce((total, [, ms]) => total + ms, 0);
  if (r.accept) {
    const a = r.accept;
    rows.push([
      `accept: 202/s (${a.connections} conns, ${a.users} users)`,
      f(a.chronosMax.rate, 0),
      `${f(a.bareMax.rate, 0)} bare Express`,
      ratio(a.comparisons.throughput),
      mark(a.comparisons.throughput),
    ]);
    const chronosCpu = cpuSum(a.chronosMax.cpuMsPerResponse, ['bench']);
    const bareCpu = cpuSum(a.bareMax.cpuMsPerResponse, ['bench']);
    rows.push([
      'accept: CPU ms per 202, server side',
      `${f(chronosCpu, 2)} (Chronos ${f(a.chronosMax.cpuMsPerResponse?.chronos ?? NaN, 2)}, Postgres ${f(a.chronosMax.cpuMsPerResponse?.postgres ?? NaN, 2)})`,
      `${f(bareCpu, 2)} bare Express`,
      `${f(chronosCpu / bareCpu, 0)}×`,
      '',
    ]);
    rows.push([
      'accept: p50 / p99 ms at full load',
      `${f(a.chronosMax.latencyMs.p50)} / ${f(a.chronosMax.latencyMs.p99)}`,
      `${f(a.bareMax.latencyMs.p50)} / ${f(a.bareMax.latencyMs.p99)}`,
      '',
      '',
    ]);
    rows.push([
      `accept: p50 / p99 ms at ${a.halfRate}/s, paced`,
      `${f(a.chronosHalfPaced.latencyMs.p50)} / ${f(a.chronosHalfPaced.latencyMs.p99)}`,
      `${f(a.bareHalfPaced.latencyMs.p50)} / ${f(a.bareHalfPaced.latencyMs.p99)}`,
      ratio(a.comparisons.p99AtHalfLoad),
      mark(a.comparisons.p99AtHalfLoad),
    ]);
    rows.push([
      `accept: p50 / p99 ms at ${a.halfRate}/s, autocannon`,
      `${f(a.chronosHalfAutocannon.latencyMs.p50)} / ${f(a.chronosHalfAutocannon.latencyMs.p99)}`,
      `${f(a.bareHalfAutocannon.latencyMs.p50)} / ${f(a.bareHalfAutocannon.latencyMs.p99)}`,
      ratio(a.comparisons.p99AtHalfLoadAutocannon),
      mark(a.comparisons.p99AtHalfLoadAutocannon),
    ]);
  }
  if (r.endToEnd) {
    const e = r.endToEnd;
    rows.push([
      `e2e: confirmed ops/s (${e.ops} ops, ${e.users} users)`,
      f(e.chronos.opsPerSecond),
      `${f(e.direct.opsPerSecond)} direct`,
      ratio(e.comparisons.throughput),
      mark(e.comparisons.throughput),
    ]);
    const chronosOpCpu = cpuSum(e.chronos.cpuMsPerOp);
    // The idle Chronos process (its tracker polls) runs during the direct side too; it is not part of that path.
    const directOpCpu = cpuSum(e.direct.cpuMsPerOp, ['chronos']);
    rows.push([
      'e2e: CPU ms per op, all processes',
      `${f(chronosOpCpu, 0)} (Chronos ${f(e.chronos.cpuMsPerOp.chronos, 0)}, Postgres ${f(e.chronos.cpuMsPerOp.postgres, 0)})`,
      `${f(directOpCpu, 0)} (client ${f(e.direct.cpuMsPerOp.bench, 0)})`,
      `${(chronosOpCpu / directOpCpu).toFixed(2)}×`,
      '',
    ]);
    rows.push([
      'e2e: accept→CONFIRMED p50 / p99 ms',
      `${f(e.chronos.acceptToConfirmedMs.p50, 0)} / ${f(e.chronos.acceptToConfirmedMs.p99, 0)}`,
      `${f(e.direct.latencyMs.p50, 0)} / ${f(e.direct.latencyMs.p99, 0)} send→receipt`,
      ratio(e.comparisons.latencyP50),
      mark(e.comparisons.latencyP50),
    ]);
    rows.push([
      'e2e: POST→webhook p50 / p99 ms (client view)',
      `${f(e.chronos.requestToWebhookMs.p50, 0)} / ${f(e.chronos.requestToWebhookMs.p99, 0)}`,
      '',
      '',
      '',
    ]);
    rows.push([
      'webhook: CONFIRMED→received p50 / p99 ms',
      `${f(e.chronos.confirmedToWebhookMs.p50)} / ${f(e.chronos.confirmedToWebhookMs.p99)}`,
      '20 budget',
      ratio(e.comparisons.webhookP50),
      mark(e.comparisons.webhookP50),
    ]);
    rows.push([
      '  of which CONFIRMED→attempt start p50 / p99',
      `${f(e.chronos.confirmedToAttemptStartMs.p50)} / ${f(e.chronos.confirmedToAttemptStartMs.p99)}`,
      '',
      '',
      '',
    ]);
    rows.push([
      'memory: peak RSS MB during e2e (VmHWM)',
      `${f(e.chronos.memory.peakRssMb, 0)} (${f(e.chronos.memory.hwmMb, 0)})`,
      '200 budget',
      ratio(e.comparisons.peakRss),
      mark(e.comparisons.peakRss),
    ]);
  }
  if (r.hotUser) {
    const h = r.hotUser;
    rows.push([
      `one busy user: ops/s (${h.ops} from 1 user vs ${h.ops} users)`,
      f(h.oneUser.opsPerSecond),
      `${f(h.manyUsers.opsPerSecond)} many users`,
      ratio(h.comparisons.oneUserThroughput),
      mark(h.comparisons.oneUserThroughput),
    ]);
    if (h.batch) {
      rows.push([
        `batch payout: s to confirm / gas per recipient (${h.batch.recipients})`,
        `${f(h.batch.batchConfirmS)} / ${f(h.batch.gasPerRecipient.batch, 0)}`,
        `${f(h.batch.singlesWallS)} / ${f(h.batch.gasPerRecipient.singles, 0)} singles`,
        `${(h.batch.gasPerRecipient.batch / h.batch.gasPerRecipient.singles).toFixed(2)}× gas`,
        '',
      ]);
    }
  }
  if (r.tracking) {
    const t = r.tracking;
    rows.push([
      `tracking: RPC calls/block (${t.many.pending} vs 1 pending)`,
      f(t.many.callsPerBlock, 2),
      `${f(t.one.callsPerBlock, 2)} with 1`,
      ratio(t.comparisons.callsPerBlock),
      mark(t.comparisons.callsPerBlock),
    ]);
  }
  if (r.status) {
    const s = r.status;
    rows.push([
      `status read: p50 / p99 ms (${s.large.stored.toLocaleString('en')} vs ${s.small.stored.toLocaleString('en')})`,
      `${f(s.large.load.latencyMs.p50)} / ${f(s.large.load.latencyMs.p99)}`,
      `${f(s.small.load.latencyMs.p50)} / ${f(s.small.load.latencyMs.p99)}`,
      ratio(s.comparisons.p99),
      mark(s.comparisons.p99),
    ]);
    rows.push(['status read: reads/s', f(s.large.load.rate, 0), f(s.small.load.rate, 0), '', '']);
    rows.push([
      `list: p50 / p99 ms, page of ${s.large.rowsPerPage.list} vs ${s.small.rowsPerPage.list} at a random cursor`,
      `${f(s.large.list.load.latencyMs.p50)} / ${f(s.large.list.load.latencyMs.p99)}`,
      `${f(s.small.list.load.latencyMs.p50)} / ${f(s.small.list.load.latencyMs.p99)}`,
      ratio(s.comparisons.listP99),
      mark(s.comparisons.listP99),
    ]);
    rows.push(['list: pages/s', f(s.large.list.load.rate, 0), f(s.small.list.load.rate, 0), '', '']);
    const user = { large: s.large.userList.load.latencyMs, small: s.small.userList.load.latencyMs };
    rows.push([
      `list, one user: p50 / p99 ms, page of ${s.large.rowsPerPage.userList} vs ${s.small.rowsPerPage.userList}`,
      `${f(user.large.p50)} / ${f(user.large.p99)}`,
      `${f(user.small.p50)} / ${f(user.small.p99)}`,
      `${f(user.large.p99 / user.small.p99, 2)}×`,
      '',
    ]);
  }
  const header: Row = ['figure', 'Chronos', 'baseline', 'ratio', 'target'];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => [...row[i]].length)));
  const line = (row: Row) => `| ${row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
