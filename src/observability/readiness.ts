// Can this process do its work right now? Postgres answers `select 1`, the chain RPC answers
// eth_blockNumber, the bundler answers eth_supportedEntryPoints and supports our EntryPoint, and the
// sponsorship answers (the own paymaster's deposit reads, or the hosted paymaster's URL answers
// JSON-RPC) — each within a short timeout, all at once. A deposit that lasts less than
// PAYMASTER_DEPOSIT_MIN_COVER_SECONDS degrades readiness without failing it: operations it cannot
// cover wait rather than fail, so routing elsewhere would not help; an operator should top it up.
// With RPC_URL or BUNDLER_URL listing several entries, each entry is probed: the part is ok while one
// of them answers (requests fail over to it), the others are listed in `entries` and make readiness
// degraded. Reasons never include URLs, nor hosts: RPC URLs often carry API keys, and anyone who can
// reach the port may ask (an entry is named by its position in the list).
import type pg from 'pg';
import { formatEther } from 'viem';
import { causesOf } from '../error-causes.js';
import type { PaymasterCover, PaymasterCoverReader } from './paymaster-cover.js';
import { sharedInFlight } from './shared-in-flight.js';

/** What is probed, by structure: observability sits below the context that holds these. */
export type ReadinessTargets = {
  pool: Pick<pg.Pool, 'query'>;
  config: { chain: { rpcUrls: readonly string[]; bundlerUrls: readonly string[] }; contracts: { entryPoint: string } };
  /** The own paymaster's deposit, or the hosted paymaster's URL. */
  sponsorship: { cover: PaymasterCoverReader } | { url: string };
};

export type CheckName = 'database' | 'chain' | 'bundler' | 'sponsorship';
/** 'ok', or 'down: <why>'; the own paymaster's `deposit` is 'ok' or 'low: <how low>'. */
export type CheckResult = string;
/** One entry of a URL list: its position (from 1) and its check. */
export type EntryCheck = { entry: number; check: CheckResult };
/** The parts whose URL variable can list several entries. */
export type ListedPart = 'chain' | 'bundler';
export type Readiness = {
  ready: boolean;
  checks: Record<CheckName, CheckResult> & { deposit?: CheckResult };
  /** Each entry's check, for a part configured with more than one; absent otherwise. */
  entries?: Partial<Record<ListedPart, EntryCheck[]>>;
  down: CheckName[];
  /** Ready, but something needs an operator soon. */
  degraded: string[];
};

const VARIABLE_OF: Record<ListedPart, string> = { chain: 'RPC_URL', bundler: 'BUNDLER_URL' };

export const CHECK_TIMEOUT_MS = 1_500;

export type ReadinessChecker = { check(): Promise<Readiness> };

/**
 * Probes arrive from load balancers, orchestrators and anyone who can reach the port: concurrent
 * calls share one round of checks rather than each opening connections of its own.
 */
export function createReadinessChecker(ctx: ReadinessTargets): ReadinessChecker {
  const round = async (): Promise<Readiness> => {
    let deposit: CheckResult | undefined;
    const [database, chain, bundler, sponsorship] = await Promise.all([
      outcome(() => ctx.pool.query('select 1').then(() => undefined)),
      listOutcome(ctx.config.chain.rpcUrls, (url) => jsonRpc(url, 'eth_blockNumber').then(() => undefined)),
      listOutcome(ctx.config.chain.bundlerUrls, async (url) => {
        const entryPoints = await jsonRpc(url, 'eth_supportedEntryPoints');
        const ours = ctx.config.contracts.entryPoint.toLowerCase();
        if (!Array.isArray(entryPoints) || !entryPoints.some((e) => String(e).toLowerCase() === ours)) {
          throw new Error(`does not support EntryPoint ${ctx.config.contracts.entryPoint}`);
        }
      }),
      outcome(async () => {
        if ('url' in ctx.sponsorship) return void (await jsonRpc(ctx.sponsorship.url, 'eth_chainId', { anyAnswer: true }));
        deposit = depositCheck(await ctx.sponsorship.cover.read());
      }),
    ]);
    const checks = { database, chain: chain.check, bundler: bundler.check, sponsorship };
    const down = (Object.keys(checks) as CheckName[]).filter((name) => checks[name] !== 'ok');
    const entries: NonNullable<Readiness['entries']> = {};
    if (chain.entries) entries.chain = chain.entries;
    if (bundler.entries) entries.bundler = bundler.entries;
    // An entry down while another answers costs nothing yet, but the list has lost its spare.
    const entriesDown = (Object.entries(entries) as [ListedPart, EntryCheck[]][]).flatMap(([part, list]) =>
      checks[part] === 'ok' ? list.filter((e) => e.check !== 'ok').map((e) => `${VARIABLE_OF[part]} entry ${e.entry} of ${list.length} ${e.check}`) : [],
    );
    const degraded = [...(deposit && deposit !== 'ok' ? [`paymaster deposit ${deposit}`] : []), ...entriesDown];
    return {
      ready: down.length === 0,
      checks: deposit ? { ...checks, deposit } : checks,
      ...(Object.keys(entries).length > 0 && { entries }),
      down,
      degraded,
    };
  };
  return { check: sharedInFlight(round) };
}

/**
 * One URL: its outcome, as it always was. Several: each entry's, and ok while any entry is (requests
 * fail over to it), else down with every entry's reason.
 */
async function listOutcome(urls: readonly string[], probe: (url: string) => Promise<void>): Promise<{ check: CheckResult; entries?: EntryCheck[] }> {
  const results = await Promise.all(urls.map((url) => outcome(() => probe(url))));
  if (urls.length === 1) return { check: results[0] };
  const entries = results.map((check, i) => ({ entry: i + 1, check }));
  if (results.includes('ok')) return { check: 'ok', entries };
  const reasons = entries.map((e) => `entry ${e.entry} ${e.check.replace(/^down: /, '')}`);
  return { check: `down: every entry (${reasons.join('; ')})`, entries };
}

async function outcome(check: () => Promise<void>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    return `down: ${describe(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function depositCheck({ low, depositWei, coverSeconds }: PaymasterCover): CheckResult {
  if (!low) return 'ok';
  if (depositWei === 0n) return 'low: empty, operations wait until `chronos paymaster deposit`';
  return `low: ${formatEther(depositWei)} ETH lasts about ${Math.round(coverSeconds / 60)} min at the last hour's spend rate`;
}

/**
 * One JSON-RPC call with its own deadline and no retries: a probe reports, it does not insist.
 * `anyAnswer`: a JSON-RPC error counts as an answer (a hosted paymaster need not serve `method`).
 */
async function jsonRpc(url: string, method: string, { anyAnswer = false } = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} to ${method}`);
  const body = (await response.json()) as { result?: unknown; error?: { code?: number; message?: string } };
  if (body.error && !anyAnswer) throw new Error(`${method} answered error ${body.error.code ?? ''} ${String(body.error.message ?? '').slice(0, 120)}`.trim());
  return body.result;
}

/** A short reason: the network error code when there is one (fetch hides it in `cause`). */
function describe(error: unknown): string {
  for (const e of causesOf(error, 5) as { code?: unknown; name?: string }[]) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return `${e.code === 'ECONNREFUSED' ? 'connection refused' : 'network error'} (${e.code})`;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${CHECK_TIMEOUT_MS} ms`;
  }
  const message = (error as Error)?.message ?? String(error);
  return message.replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 200);
}
