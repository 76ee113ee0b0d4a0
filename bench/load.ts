// HTTP load, two ways:
//  - closed loop (autocannon): N connections each sending its next request as soon as the last is
//    answered; gives the maximum rate. autocannon's `overallRate` is also offered, but it is bursty:
//    each connection sends its per-second quota back to back at the start of every second.
//  - open loop (paced): requests go out at evenly spaced times whatever the answers do, and latency
//    counts from the scheduled time (no coordinated omission); gives the latency at a given load.
// Latency percentiles come from every response's own time (µs resolution), not autocannon's 1 ms buckets.
import autocannon, { type Request as CannonRequest } from 'autocannon';
import { Agent, request as httpRequest } from 'node:http';
import { summarize, type Summary } from './stats.js';
import { startCpuMeter, type CpuTargets } from './cpu.js';

export type LoadRequest = { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string };

export type LoadResult = {
  /** Responses with the expected status per second of the measured run. */
  rate: number;
  latencyMs: Summary;
  statuses: Record<string, number>;
  errors: number;
  durationS: number;
  /** What autocannon itself reported (1 ms buckets), for reference. */
  autocannon?: { requestsPerSecond: number; p50: number; p99: number };
  /** CPU milliseconds each process spent per expected response (see withCpu). */
  cpuMsPerResponse?: Record<string, number>;
  /** Postgres's CPU milliseconds per process title (backends, io workers, background writer…) over the run. */
  postgresCpuMsByProcess?: Record<string, number>;
};

/** Anything but the expected answers, for a progress note: "" when there was nothing else. */
export function describeUnexpected(result: LoadResult, expectStatus: number): string {
  const other = Object.entries(result.statuses)
    .filter(([status]) => Number(status) !== expectStatus)
    .map(([status, n]) => `${n} × ${status}`);
  if (result.errors) other.push(`${result.errors} errors/timeouts`);
  return other.length ? ` (also ${other.join(', ')})` : '';
}

/** Runs the load and adds the CPU time each target spent meanwhile, per expected response. */
export async function withCpu(targets: CpuTargets, run: () => Promise<LoadResult>): Promise<LoadResult> {
  const meter = startCpuMeter(targets);
  const result = await run();
  const cpu = meter.stop();
  const responses = result.rate * result.durationS;
  result.cpuMsPerResponse = Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, responses ? ms / responses : NaN]));
  if ('postgres' in targets) result.postgresCpuMsByProcess = meter.byTitle('postgres');
  return result;
}

export type ClosedLoopParameters = {
  url: string;
  connections: number;
  durationS: number;
  expectStatus: number;
  /** Called for every request: vary the user, the id… */
  next: () => LoadRequest;
  overallRate?: number;
};

export async function closedLoop({ url, connections, durationS, expectStatus, next, overallRate }: ClosedLoopParameters): Promise<LoadResult> {
  const first = next();
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url,
    connections,
    duration: durationS,
    timeout: 30,
    overallRate,
    requests: [
      {
        ...first,
        setupRequest: (req: CannonRequest) => ({ ...req, ...next() }),
      },
    ],
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode === expectStatus) latencies.push(responseTime);
  });
  const result = await instance;
  return {
    rate: (statuses[expectStatus] ?? 0) / result.duration,
    latencyMs: summarize(latencies),
    statuses,
    errors: result.errors + result.timeouts,
    durationS: result.duration,
    autocannon: { requestsPerSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 },
  };
}

export type PacedParameters = { url: string; rate: number; durationS: number; expectStatus: number; next: () => LoadRequest };

export async function paced({ url, rate, durationS, expectStatus, next }: PacedParameters): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const total = Math.max(1, Math.round(rate * durationS));
  const intervalMs = 1000 / rate;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();

  const send = (scheduledAt: number) => {
    const req = next();
    const p = new Promise<void>((resolve) => {
      const r = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.path,
          agent,
          headers: { ...req.headers, ...(req.body !== undefined && { 'content-length': Buffer.byteLength(req.body) }) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status === expectStatus) latencies.push(performance.now() - scheduledAt);
            resolve();
          });
        },
      );
      r.on('error', () => {
        errors++;
        resolve();
      });
      r.setTimeout(30_000, () => r.destroy(new Error('timeout')));
      r.end(req.body);
    });
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
  };

  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
      while (sent < due) send(t0 + intervalMs * sent++);
      if (sent >= total) return resolve();
      // setTimeout(0) wakes about every millisecond: requests due within one tick go out together.
      setTimeout(tick, Math.max(0, Math.min(intervalMs, t0 + intervalMs * sent - performance.now())));
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return { rate: (statuses[expectStatus] ?? 0) / elapsedS, latencyMs: summarize(latencies), statuses, errors, durationS: elapsedS };
}
