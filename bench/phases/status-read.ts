// (5) Status read at a small and a large table: GET /transactions/{id} for random existing ids, and the
// filtered list GET /transactions (status-list.ts), each at the same connections. The rows are
// bulk-inserted CONFIRMED transfers of the bench client (status-rows.ts).
import pg from 'pg';
import { connectClient, registerClient } from '../api.js';
import { startChronos } from '../chronos-process.js';
import { closedLoop, describeUnexpected, withCpu, type LoadRequest, type LoadResult } from '../load.js';
import { describeCpu } from './accept.js';
import { chronosEnv, compare, type Comparison, type PhaseContext } from './context.js';
import { resetStatements, topStatements, type StatementStat } from '../pg-statements.js';
import { idOf, insertConfirmed } from './status-rows.js';
import { LIST_LIMIT, explainList, randomPages, randomUserPages, samplePositions, type ListPlans } from './status-list.js';

export type LoadRun = { load: LoadResult; statements: StatementStat[] };

/** `load`, `explain` and `statements` are the reads by id; `rowsPerPage` is what one page of each list held. */
export type StatusRun = LoadRun & {
  stored: number;
  explain: string[];
  list: LoadRun;
  userList: LoadRun;
  listExplain: ListPlans;
  rowsPerPage: { list: number; userList: number };
};

export type StatusResults = {
  small: StatusRun;
  large: StatusRun;
  loadS: Record<string, number>[];
  comparisons: { p99: Comparison; listP99: Comparison };
};

export const STATUS_STEPS = 8;

export async function runStatusPhase({ stack, cleanup, progress, flags, chronosRoot }: PhaseContext): Promise<StatusResults> {
  progress.step(`status read: API-only Chronos, ${flags.statusSmall} transactions`);
  const databaseUrl = await stack.newDatabase('bench_status');
  const registered = await registerClient(databaseUrl);
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  admin.on('error', () => {});
  cleanup.add('status db pool', () => admin.end());
  const loadS: Record<string, number>[] = [];
  loadS.push(await insertConfirmed(admin, registered.clientId, 1, flags.statusSmall));
  const api = await startChronos(cleanup, stack, {
    root: chronosRoot,
    role: 'api',
    databaseUrl,
    logLevel: flags.logLevel,
    cpuProf: flags.cpuProf,
    env: chronosEnv(flags),
  });
  const client = await connectClient(api.url, registered);

  const run = async (stored: number, what: string, next: () => LoadRequest): Promise<LoadRun> => {
    progress.step(`status read: ${what}, ${stored.toLocaleString('en')} stored, ${flags.connections} connections (${flags.warmup}+${flags.duration}s)`);
    if (flags.warmup) await closedLoop({ url: api.url, connections: flags.connections, durationS: flags.warmup, expectStatus: 200, next });
    await resetStatements(databaseUrl);
    const load = await withCpu({ chronos: () => [api.pid], postgres: stack.cpuTargets.postgres, bench: stack.cpuTargets.bench }, () =>
      closedLoop({ url: api.url, connections: flags.connections, durationS: flags.duration, expectStatus: 200, next }),
    );
    progress.note(
      `${what}, ${stored} stored: ${load.rate.toFixed(0)}/s, p50 ${load.latencyMs.p50.toFixed(1)} ms, p99 ${load.latencyMs.p99.toFixed(1)} ms; `
        + `CPU ms per request: ${describeCpu(load.cpuMsPerResponse)}${describeUnexpected(load, 200)}`,
    );
    return { load, statements: await topStatements(databaseUrl) };
  };
  /** Rows in one answer of the load's kind, so the report can say what a page held at this size. */
  const rowsOf = async (next: () => LoadRequest): Promise<number> => {
    const { path, headers } = next();
    const res = await fetch(`${api.url}${path}`, { headers });
    const body = (await res.json()) as { data?: { transactions?: unknown[] } };
    if (!res.ok || !body.data?.transactions) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body.data.transactions.length;
  };
  const measure = async (stored: number): Promise<StatusRun> => {
    const reads = await run(stored, 'reads by id', randomReads(client.token, stored));
    const pages = randomPages(client.token, await samplePositions(admin, stored));
    const userPages = randomUserPages(client.token, stored);
    const rowsPerPage = { list: await rowsOf(pages), userList: await rowsOf(userPages) };
    const list = await run(stored, `list pages of ${LIST_LIMIT} at random cursors`, pages);
    const userList = await run(stored, `one user's list page`, userPages);
    return {
      stored,
      ...reads,
      explain: await explainRead(admin, idOf(Math.ceil(stored / 2))),
      list,
      userList,
      listExplain: await explainList(admin, registered.clientId, stored),
      rowsPerPage,
    };
  };
  const small = await measure(flags.statusSmall);

  progress.step(`status read: bulk-inserting up to ${flags.statusLarge.toLocaleString('en')} transactions`);
  loadS.push(await insertConfirmed(admin, registered.clientId, flags.statusSmall + 1, flags.statusLarge));
  progress.note(
    `inserted in ${Object.entries(loadS[1])
      .map(([step, sec]) => `${step} ${sec.toFixed(1)} s`)
      .join(', ')}`,
  );
  const large = await measure(flags.statusLarge);
  await api.stop();

  return {
    small,
    large,
    loadS,
    comparisons: {
      p99: compare('ms', large.load.latencyMs.p99, small.load.latencyMs.p99, {
        text: `p99 at ${flags.statusLarge} ≤ 1.2 × at ${flags.statusSmall}`,
        met: ({ ratio }) => ratio <= 1.2,
      }),
      listP99: compare('ms', large.list.load.latencyMs.p99, small.list.load.latencyMs.p99, {
        text: `list p99 at ${flags.statusLarge} ≤ 1.2 × at ${flags.statusSmall}`,
        met: ({ ratio }) => ratio <= 1.2,
      }),
    },
  };
}

function randomReads(token: string, stored: number): () => LoadRequest {
  const headers = { authorization: `Bearer ${token}` };
  return () => ({ method: 'GET', path: `/api/v1/transactions/${idOf(1 + Math.floor(Math.random() * stored))}`, headers });
}

/** The two queries the route makes, as Postgres runs them, for the record. */
async function explainRead(db: pg.Pool, id: string): Promise<string[]> {
  const plan = async (query: string) =>
    (await db.query(`explain (analyze, buffers, costs off) ${query}`, [id])).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  return [await plan('select * from transactions where id = $1'), await plan('select * from transaction_transitions where transaction_id = $1 order by id')];
}
