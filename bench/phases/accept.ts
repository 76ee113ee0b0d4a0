// (1) Accept throughput: POST /wallet/transfer answered 202 per second by an API-only Chronos (no
// worker, so nothing drains the chain), against a bare Express 5 JSON endpoint, then latency at half
// Chronos's maximum rate.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEther } from 'viem';
import { sql } from 'kysely';
import { createDb, createPool } from '../../src/db/connect.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { connectClient, createWallets, registerClient, type BenchClient } from '../api.js';
import { startChronos } from '../chronos-process.js';
import { fundOnChain } from '../funding.js';
import { closedLoop, describeUnexpected, paced, withCpu, type LoadRequest, type LoadResult } from '../load.js';
import { chronosEnv, compare, type Comparison, type PhaseContext } from './context.js';
import { resetStatements, topStatements, type StatementStat } from '../pg-statements.js';
import type { CpuTargets } from '../cpu.js';

const require = createRequire(import.meta.url);
const TRANSFER_BODY = JSON.stringify({ to: '0x000000000000000000000000000000000000dEaD', amount: '0.000001' });

export type AcceptResults = {
  users: number;
  connections: number;
  chronosMax: LoadResult;
  bareMax: LoadResult;
  chronosHalfPaced: LoadResult;
  bareHalfPaced: LoadResult;
  chronosHalfAutocannon: LoadResult;
  bareHalfAutocannon: LoadResult;
  halfRate: number;
  /** Where Postgres spent its time while Chronos ran at full load. */
  chronosStatements: StatementStat[];
  comparisons: { throughput: Comparison; p99AtHalfLoad: Comparison; p99AtHalfLoadAutocannon: Comparison };
};

export const ACCEPT_STEPS = 7;

export async function runAcceptPhase({ stack, cleanup, progress, flags, chronosRoot }: PhaseContext): Promise<AcceptResults> {
  progress.step('accept: API-only Chronos, bare Express, funded users');
  const databaseUrl = await stack.newDatabase('bench_accept');
  const registered = await registerClient(databaseUrl);
  const api = await startChronos(cleanup, stack, {
    root: chronosRoot,
    role: 'api',
    databaseUrl,
    logLevel: flags.logLevel,
    cpuProf: flags.cpuProf,
    env: chronosEnv(flags),
  });
  const client = await connectClient(api.url, registered);
  const bare = await startBareExpress(cleanup);
  const userIds = Array.from({ length: flags.acceptUsers }, (_, i) => `accept-user-${i}`);
  const addresses = await createWallets(client, userIds);
  await fundOnChain(stack, { addresses, amountWei: parseEther('1000000') });

  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  const db = createDb(pool);
  cleanup.add('accept db pool', () => db.destroy());
  // Stands in for a worker that keeps up: every run starts with nothing in flight and no job queued, as
  // the first did (jobs piling up by the ten thousand would slow every insert into the queue).
  const drain = async () => {
    await sql`update transactions set status = 'FAILED', error_code = 'BENCH_DRAINED' where status = 'ACCEPTED'`.execute(db);
    await sql`delete from graphile_worker._private_jobs`.execute(db);
  };

  const chronosTransfer = transferRequests(client, userIds);
  const bareTransfer = transferRequests({ ...client, token: 'bench' }, userIds);
  const chronosCpu = { ...stack.cpuTargets, chronos: () => [api.pid] };
  const bareCpu = { bare: () => [bare.pid], bench: stack.cpuTargets.bench };
  const max = async (label: string, url: string, next: () => LoadRequest, cpu: CpuTargets, beforeMeasuring?: () => Promise<void>) => {
    progress.step(`accept: ${label} at full load (${flags.connections} connections, ${flags.warmup}+${flags.duration}s)`);
    if (flags.warmup) await closedLoop({ url, connections: flags.connections, durationS: flags.warmup, expectStatus: 202, next });
    await drain();
    await beforeMeasuring?.();
    const result = await withCpu(cpu, () => closedLoop({ url, connections: flags.connections, durationS: flags.duration, expectStatus: 202, next }));
    await drain();
    progress.note(
      `${label}: ${result.rate.toFixed(0)} × 202/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms; `
        + `CPU ms per 202: ${describeCpu(result.cpuMsPerResponse)}${describeUnexpected(result, 202)}`,
    );
    return result;
  };
  const bareMax = await max('bare Express', bare.url, bareTransfer, bareCpu);
  const chronosMax = await max('Chronos', api.url, chronosTransfer, chronosCpu, () => resetStatements(databaseUrl));
  const chronosStatements = await topStatements(databaseUrl);
  if (!chronosMax.rate) throw new Error(`Chronos accepted nothing: ${JSON.stringify(chronosMax.statuses)}`);

  const halfRate = Math.max(1, Math.floor(chronosMax.rate / 2));
  const half = async (label: string, run: () => Promise<LoadResult>) => {
    progress.step(`accept: ${label} at ${halfRate} req/s (half Chronos's max, ${flags.duration}s)`);
    const result = await run();
    await drain();
    progress.note(
      `${label}: ${result.rate.toFixed(0)} × 202/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms${describeUnexpected(result, 202)}`,
    );
    return result;
  };
  const chronosHalfPaced = await half('Chronos, paced', () =>
    paced({ url: api.url, rate: halfRate, durationS: flags.duration, expectStatus: 202, next: chronosTransfer }),
  );
  const bareHalfPaced = await half('bare Express, paced', () =>
    paced({ url: bare.url, rate: halfRate, durationS: flags.duration, expectStatus: 202, next: bareTransfer }),
  );
  const chronosHalfAutocannon = await half('Chronos, autocannon --overallRate', () =>
    closedLoop({
      url: api.url,
      connections: flags.connections,
      durationS: flags.duration,
      expectStatus: 202,
      next: chronosTransfer,
      overallRate: halfRate,
    }),
  );
  const bareHalfAutocannon = await half('bare Express, autocannon --overallRate', () =>
    closedLoop({
      url: bare.url,
      connections: flags.connections,
      durationS: flags.duration,
      expectStatus: 202,
      next: bareTransfer,
      overallRate: halfRate,
    }),
  );
  await api.stop();
  await bare.stop();

  return {
    users: flags.acceptUsers,
    connections: flags.connections,
    chronosMax,
    bareMax,
    chronosHalfPaced,
    bareHalfPaced,
    chronosHalfAutocannon,
    bareHalfAutocannon,
    halfRate,
    chronosStatements,
    comparisons: {
      throughput: compare('202/s', chronosMax.rate, bareMax.rate, { text: '≥ 0.35 × bare Express', met: ({ ratio }) => ratio >= 0.35 }),
      p99AtHalfLoad: compare('ms', chronosHalfPaced.latencyMs.p99, bareHalfPaced.latencyMs.p99, {
        text: 'Chronos p99 ≤ 25 ms',
        met: ({ value }) => value <= 25,
      }),
      p99AtHalfLoadAutocannon: compare('ms', chronosHalfAutocannon.latencyMs.p99, bareHalfAutocannon.latencyMs.p99, {
        text: 'Chronos p99 ≤ 25 ms',
        met: ({ value }) => value <= 25,
      }),
    },
  };
}

/** Round-robin over the users, as many client backends' users would arrive. */
function transferRequests(client: Pick<BenchClient, 'token'>, userIds: readonly string[]): () => LoadRequest {
  let i = 0;
  const base = { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' };
  return () => ({ method: 'POST', path: '/api/v1/wallet/transfer', headers: { ...base, 'x-user-id': userIds[i++ % userIds.length] }, body: TRANSFER_BODY });
}

export function describeCpu(cpu: Record<string, number> | undefined): string {
  return Object.entries(cpu ?? {})
    .map(([name, ms]) => `${name} ${ms.toFixed(2)}`)
    .join(', ');
}

async function startBareExpress(cleanup: PhaseContext['cleanup']): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const port = await getFreePort();
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(require.resolve('tsx')).href, join(import.meta.dirname, '..', 'bare-express.ts'), String(port)],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  child.channel?.unref();
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  cleanup.add('bare express', stop);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the bare Express server exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 400) throw new Error('the bare Express server did not start within 20 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, pid: child.pid!, stop };
}
