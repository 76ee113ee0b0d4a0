// (2) End to end, (3) webhook latency and (6) memory. M users each send their share of N token
// transfers one after another (the next once the last is confirmed), all users in parallel:
//   - directly: a plain permissionless client per user, straight to the bundler and paymaster;
//   - through Chronos (`chronos start`: API and worker in one process): POST /wallet/transfer, then
//     wait for the transaction's webhook.
// Chronos's accept → CONFIRMED comes from the transaction's own history; CONFIRMED → webhook compares
// that CONFIRMED time with the receiver's clock (same machine, same clock).
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parseEther, type Address } from 'viem';
import { call, connectClient, createWallets, registerClient, type BenchClient } from '../api.js';
import { startChronos, type ChronosProcess } from '../chronos-process.js';
import { createDirectAccount, sendTransfer, type DirectAccount } from '../direct-client.js';
import { fundOnChain } from '../funding.js';
import { summarize, type Summary } from '../stats.js';
import { startWebhookReceiver, type WebhookReceiver } from '../webhook-receiver.js';
import { chronosEnv, compare, type Comparison, type PhaseContext } from './context.js';
import { startCpuMeter, type CpuTargets } from '../cpu.js';
import { describeCpu } from './accept.js';
import { resetStatements, topStatements, type StatementStat } from '../pg-statements.js';

const RECIPIENT: Address = '0x000000000000000000000000000000000000dEaD';
const AMOUNT = '0.001';
const OP_TIMEOUT_MS = 120_000;

export type SideResult = {
  ops: number;
  succeeded: number;
  wallS: number;
  opsPerSecond: number;
  latencyMs: Summary;
  /** CPU milliseconds each process spent per confirmed operation while this side ran. */
  cpuMsPerOp: Record<string, number>;
};

export type EndToEndResults = {
  ops: number;
  users: number;
  direct: SideResult;
  chronos: SideResult & {
    /** History ACCEPTED → CONFIRMED (the server's clock). */
    acceptToConfirmedMs: Summary;
    /** POST sent → webhook received (the client's view). */
    requestToWebhookMs: Summary;
    /** POST sent → 202 received. */
    acceptResponseMs: Summary;
    /** History CONFIRMED → webhook received, and its two halves: CONFIRMED → the delivery attempt's start
     *  (commit, job notification and pick-up, claim) and attempt start → received (sign, connect, send). */
    confirmedToWebhookMs: Summary;
    confirmedToAttemptStartMs: Summary;
    attemptStartToReceivedMs: Summary;
    /**
     * Polled RSS while the operations ran, the process's high-water mark (VmHWM, startup included), and
     * what it is made of: V8 heap (total and used) and memory outside it, from its /metrics (largest
     * seen), and the anonymous vs file-backed (code, libraries) share of RSS at the end (smaps_rollup).
     */
    memory: {
      peakRssMb: number;
      hwmMb: number;
      samples: number;
      heapTotalMb: number;
      heapUsedMb: number;
      externalMb: number;
      rssAnonMb: number;
      rssFileMb: number;
      /** The same process idle, just before the operations started. */
      idle: { rssMb: number; heapTotalMb: number; heapUsedMb: number };
    };
    failures: string[];
    /** Where Postgres spent its time during Chronos's run, and how many statements it ran per operation. */
    statements: StatementStat[];
    statementsPerOp: number;
  };
  comparisons: { throughput: Comparison; latencyP50: Comparison; webhookP50: Comparison; peakRss: Comparison };
};

export const END_TO_END_STEPS = 3;

export async function runEndToEndPhase({ stack, cleanup, progress, flags, chronosRoot }: PhaseContext): Promise<EndToEndResults> {
  progress.step(`end to end: Chronos (start), ${flags.users} + ${flags.users} funded users, webhook receiver`);
  const receiver = await startWebhookReceiver();
  cleanup.add('webhook receiver', receiver.close);
  const databaseUrl = await stack.newDatabase('bench_e2e');
  const registered = await registerClient(databaseUrl, { webhookUrl: receiver.url });
  const chronos = await startChronos(cleanup, stack, {
    root: chronosRoot,
    role: 'start',
    databaseUrl,
    logLevel: flags.logLevel,
    cpuProf: flags.cpuProf,
    env: chronosEnv(flags),
  });
  const client = await connectClient(chronos.url, registered);

  // One more user on each side warms the code paths (module loading, JIT, first connections) up.
  const userIds = Array.from({ length: flags.users + 1 }, (_, i) => `e2e-user-${i}`);
  const chronosAddresses = await createWallets(client, userIds);
  const directAccounts = await Promise.all(userIds.map(() => createDirectAccount(stack)));
  await fundOnChain(stack, { addresses: [...chronosAddresses, ...directAccounts.map((a) => a.address)], amountWei: parseEther('1000') });
  const shares = shareOut(flags.ops, flags.users);
  await directOp(stack, directAccounts[flags.users]);
  await chronosOp(client, receiver, userIds[flags.users]);

  const cpuTargets = { ...stack.cpuTargets, chronos: () => [chronos.pid] };
  progress.step(`end to end: direct permissionless client, ${flags.ops} transfers by ${flags.users} accounts`);
  const direct = await withCpuPerOp(cpuTargets, () => runDirect(stack, directAccounts.slice(0, flags.users), shares));
  progress.note(
    `direct: ${direct.opsPerSecond.toFixed(1)} ops/s, send→receipt p50 ${direct.latencyMs.p50.toFixed(0)} ms, p99 ${direct.latencyMs.p99.toFixed(0)} ms; `
      + `CPU ms per op: ${describeCpu(direct.cpuMsPerOp)}`,
  );

  progress.step(`end to end: Chronos, ${flags.ops} transfers by ${flags.users} users`);
  await resetStatements(databaseUrl);
  const measured = await withCpuPerOp(cpuTargets, () => runChronos(client, receiver, chronos, databaseUrl, userIds.slice(0, flags.users), shares));
  const statements = await topStatements(databaseUrl, 1000);
  const chronosSide = {
    ...measured,
    statements: statements.slice(0, 15),
    statementsPerOp: statements.reduce((n, s) => n + s.calls, 0) / Math.max(1, measured.succeeded),
  };
  progress.note(
    `Chronos: ${chronosSide.opsPerSecond.toFixed(1)} ops/s, accept→CONFIRMED p50 ${chronosSide.acceptToConfirmedMs.p50.toFixed(0)} ms, `
      + `CONFIRMED→webhook p50 ${chronosSide.confirmedToWebhookMs.p50.toFixed(1)} ms (to attempt start ${chronosSide.confirmedToAttemptStartMs.p50.toFixed(1)}), peak RSS ${chronosSide.memory.peakRssMb.toFixed(0)} MB; `
      + `CPU ms per op: ${describeCpu(chronosSide.cpuMsPerOp)}; ${chronosSide.statementsPerOp.toFixed(0)} SQL statements per op`,
  );
  if (chronosSide.failures.length) progress.note(`Chronos: ${chronosSide.failures.length} operations did not confirm, e.g. ${chronosSide.failures[0]}`);
  await chronos.stop();

  return {
    ops: flags.ops,
    users: flags.users,
    direct,
    chronos: chronosSide,
    comparisons: {
      throughput: compare('ops/s', chronosSide.opsPerSecond, direct.opsPerSecond, { text: '≥ 0.9 × direct', met: ({ ratio }) => ratio >= 0.9 }),
      latencyP50: compare('ms', chronosSide.acceptToConfirmedMs.p50, direct.latencyMs.p50, {
        text: '≤ direct p50 + 50 ms',
        met: ({ value, baseline }) => value <= baseline + 50,
      }),
      // A delivery has no natural baseline (the receiver answers at once): it is compared with its budget.
      webhookP50: compare('ms', chronosSide.confirmedToWebhookMs.p50, 20, { text: 'p50 ≤ 20 ms', met: ({ value }) => value <= 20 }),
      peakRss: compare('MB', chronosSide.memory.peakRssMb, 200, { text: '≤ 200 MB', met: ({ value }) => value <= 200 }),
    },
  };
}

async function withCpuPerOp<T extends Omit<SideResult, 'cpuMsPerOp'>>(
  targets: CpuTargets,
  run: () => Promise<T>,
): Promise<T & { cpuMsPerOp: Record<string, number> }> {
  const meter = startCpuMeter(targets);
  const result = await run();
  const cpu = meter.stop();
  return { ...result, cpuMsPerOp: Object.fromEntries(Object.entries(cpu).map(([name, ms]) => [name, result.succeeded ? ms / result.succeeded : NaN])) };
}

/** N operations over M users as evenly as possible. */
function shareOut(ops: number, users: number): number[] {
  return Array.from({ length: users }, (_, i) => Math.floor(ops / users) + (i < ops % users ? 1 : 0));
}

async function directOp(stack: PhaseContext['stack'], account: DirectAccount) {
  return sendTransfer(stack, account, { to: RECIPIENT, amountWei: parseEther(AMOUNT) });
}

async function runDirect(stack: PhaseContext['stack'], accounts: DirectAccount[], shares: number[]): Promise<Omit<SideResult, 'cpuMsPerOp'>> {
  const latencies: number[] = [];
  let succeeded = 0;
  const t0 = Date.now();
  await Promise.all(
    accounts.map(async (account, i) => {
      for (let n = 0; n < shares[i]; n++) {
        const op = await directOp(stack, account);
        latencies.push(op.receiptAt - op.startedAt);
        if (op.success) succeeded++;
      }
    }),
  );
  const wallS = (Date.now() - t0) / 1000;
  const ops = shares.reduce((a, b) => a + b, 0);
  return { ops, succeeded, wallS, opsPerSecond: succeeded / wallS, latencyMs: summarize(latencies) };
}

type ChronosOp = { transactionId?: string; sentAt: number; acceptedAt: number; webhookAt?: number; status?: string; error?: string };

async function chronosOp(client: BenchClient, receiver: WebhookReceiver, userId: string): Promise<ChronosOp> {
  const sentAt = Date.now();
  const res = await call(client, 'POST', '/api/v1/wallet/transfer', { userId, body: { to: RECIPIENT, amount: AMOUNT } });
  const acceptedAt = Date.now();
  if (res.status !== 202) return { sentAt, acceptedAt, error: `${res.status} ${JSON.stringify(res.body)}` };
  const transactionId = res.body.transactionId as string;
  const arrival = await receiver.waitFor(transactionId, OP_TIMEOUT_MS);
  if (!arrival) return { transactionId, sentAt, acceptedAt, error: `no webhook within ${OP_TIMEOUT_MS} ms` };
  return { transactionId, sentAt, acceptedAt, webhookAt: arrival.receivedAt, status: arrival.status };
}

async function runChronos(
  client: BenchClient,
  receiver: WebhookReceiver,
  chronos: ChronosProcess,
  databaseUrl: string,
  userIds: string[],
  shares: number[],
): Promise<Omit<EndToEndResults['chronos'], 'cpuMsPerOp' | 'statements' | 'statementsPerOp'>> {
  const ops: ChronosOp[] = [];
  let peakRssKb = 0;
  let samples = 0;
  const sample = () => {
    peakRssKb = Math.max(peakRssKb, chronos.memory().rssKb);
    samples++;
  };
  const sampler = setInterval(sample, 100);
  sample();
  const idleHeap = await readNodeMemoryMetrics(chronos.url).catch(() => ({ heapTotalMb: NaN, heapUsedMb: NaN }));
  const idle = { rssMb: chronos.memory().rssKb / 1024, heapTotalMb: idleHeap.heapTotalMb, heapUsedMb: idleHeap.heapUsedMb };
  const heap = { heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
  const scrape = async () => {
    const m = await readNodeMemoryMetrics(chronos.url).catch(() => undefined);
    if (m) for (const k of Object.keys(heap) as (keyof typeof heap)[]) heap[k] = Math.max(heap[k], m[k]);
  };
  const scraper = setInterval(() => void scrape(), 2000);
  const t0 = Date.now();
  try {
    await Promise.all(
      userIds.map(async (userId, i) => {
        for (let n = 0; n < shares[i]; n++) ops.push(await chronosOp(client, receiver, userId));
      }),
    );
  } finally {
    clearInterval(sampler);
    clearInterval(scraper);
  }
  const wallS = (Date.now() - t0) / 1000;
  sample();
  await scrape();
  const hwmKb = chronos.memory().hwmKb;
  const rollup = readSmapsRollup(chronos.pid);

  // The server's own times for each transaction, from its history.
  const acceptToConfirmed: number[] = [];
  const confirmedToWebhook: number[] = [];
  const confirmedToAttempt: number[] = [];
  const attemptToReceived: number[] = [];
  const attempts = await firstAttemptStarts(
    databaseUrl,
    ops.flatMap((op) => (op.transactionId ? [op.transactionId] : [])),
  );
  const failures: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ops.length) {
        const op = ops[next++];
        if (op.error || !op.transactionId) {
          failures.push(op.error ?? 'no transaction id');
          continue;
        }
        const res = await call(client, 'GET', `/api/v1/transactions/${op.transactionId}`);
        const history = (res.body.history ?? []) as { status: string; at: string }[];
        const accepted = history.find((h) => h.status === 'ACCEPTED');
        const confirmed = history.find((h) => h.status === 'CONFIRMED');
        if (res.body.status !== 'CONFIRMED' || !accepted || !confirmed) {
          failures.push(`${op.transactionId} ended ${res.body.status}: ${JSON.stringify(res.body.error)}`);
          continue;
        }
        acceptToConfirmed.push(Date.parse(confirmed.at) - Date.parse(accepted.at));
        confirmedToWebhook.push(op.webhookAt! - Date.parse(confirmed.at));
        const attemptAt = attempts.get(op.transactionId);
        if (attemptAt !== undefined) {
          confirmedToAttempt.push(attemptAt - Date.parse(confirmed.at));
          attemptToReceived.push(op.webhookAt! - attemptAt);
        }
      }
    }),
  );
  const confirmed = ops.filter((op) => op.status === 'CONFIRMED');
  return {
    ops: ops.length,
    succeeded: acceptToConfirmed.length,
    wallS,
    opsPerSecond: acceptToConfirmed.length / wallS,
    latencyMs: summarize(acceptToConfirmed),
    acceptToConfirmedMs: summarize(acceptToConfirmed),
    requestToWebhookMs: summarize(confirmed.map((op) => op.webhookAt! - op.sentAt)),
    acceptResponseMs: summarize(ops.filter((op) => !op.error).map((op) => op.acceptedAt - op.sentAt)),
    confirmedToWebhookMs: summarize(confirmedToWebhook),
    confirmedToAttemptStartMs: summarize(confirmedToAttempt),
    attemptStartToReceivedMs: summarize(attemptToReceived),
    memory: { peakRssMb: peakRssKb / 1024, hwmMb: hwmKb / 1024, samples, ...heap, rssAnonMb: rollup.anonKb / 1024, rssFileMb: rollup.fileKb / 1024, idle },
    failures,
  };
}

/** When the first delivery attempt of each transaction's event started (ms since the epoch), from the database. */
async function firstAttemptStarts(databaseUrl: string, transactionIds: string[]): Promise<Map<string, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', () => {});
  await db.connect();
  try {
    const { rows } = await db.query(
      `
      select e.transaction_id, (extract(epoch from a.started_at) * 1000)::float8 as started_ms
      from webhook_events e
      join webhook_deliveries d on d.event_id = e.id and d.redelivery_of is null
      join webhook_delivery_attempts a on a.delivery_id = d.id and a.attempt_number = 1
      where e.transaction_id = any($1)`,
      [transactionIds],
    );
    return new Map(rows.map((r) => [r.transaction_id as string, Number(r.started_ms)]));
  } finally {
    await db.end().catch(() => {});
  }
}

/** V8 heap and external memory from prom-client's default metrics on the process's /metrics. */
async function readNodeMemoryMetrics(url: string): Promise<{ heapTotalMb: number; heapUsedMb: number; externalMb: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return {
    heapTotalMb: value('nodejs_heap_size_total_bytes'),
    heapUsedMb: value('nodejs_heap_size_used_bytes'),
    externalMb: value('nodejs_external_memory_bytes'),
  };
}

function readSmapsRollup(pid: number): { anonKb: number; fileKb: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { anonKb: field('Anonymous'), fileKb: field('Rss') - field('Anonymous') };
  } catch {
    return { anonKb: NaN, fileKb: NaN };
  }
}
