// Finds out which UserOperations were included by reading the EntryPoint's logs block range by block
// range: one eth_getBlockByNumber(latest) per poll and one eth_getLogs per new range, however many
// operations are pending. One process at a time tracks (a Postgres advisory lock); the cursor and the
// hash of its block live in the database. Each poll first checks that block is still on the chain
// (reorgs.ts) and rewinds past a reorg; inclusions settle at the configured depth (settle.ts).
//
// It polls fast only while something is in flight (SUBMITTING or SUBMITTED). With nothing in flight it
// backs off to a slow poll that keeps the cursor near the head; a status change anywhere (heard on the
// status channel, through the process's one LISTEN connection) or wake() from this process switches it
// back to fast at once, before the operation that caused it can have been sent.
import { parseAbiItem, type Address, type Hex, type Log } from 'viem';
import type { StoredUserOperation } from '../db/schema.js';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { STATUS_CHANNEL } from '../db/transaction-status.js';
import type { UnitOfWorkContext } from '../status/unit-of-work.js';
import { settleInclusions, settlePendingInclusions, type InclusionEvent } from './settle.js';
import { settledHeight } from './confirmation-depth.js';
import { findReorg, type ChainHead, type ReorgFinding } from './reorgs.js';
import { forgetReorgedInclusions } from '../status/reorg.js';
import { isTerminal } from '../statuses.js';
import { chainReorgs } from '../observability/metrics.js';
import { ADVISORY_LOCKS, advisoryUnlock, tryAdvisoryLock } from '../db/advisory-locks.js';
import { TRACKER_CURSOR, findCursor, saveCursorBlock, type CursorPosition } from '../db/chain-cursors.js';
import { awaitingReinclusion, type ReorgedInclusion } from '../db/inclusions.js';
import { anythingInFlight, oldestInFlightBlock } from '../db/transaction-progress.js';
import { createNotifications, type Notifications } from '../db/notifications.js';
import { isLogRangeError } from '../chain/log-range-errors.js';
import { createLogRange, nextRange } from './log-range.js';

export const USER_OPERATION_EVENT = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);
export const USER_OPERATION_REVERT_REASON = parseAbiItem(
  'event UserOperationRevertReason(bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason)',
);

const LEADER_LOCK = ADVISORY_LOCKS.trackerLeader;
/** The widest eth_getLogs range asked for by default (TRACKER_MAX_LOG_RANGE); a backlog longer than this is read in several. */
export const MAX_RANGE = 1_000n;
/** Full-width reads before a range narrowed by a provider's limit is tried twice as wide again. */
const GROW_RANGE_AFTER = 2;
/** How often a process that is not the leader tries to become it. */
const FOLLOWER_RETRY_MS = 1_000;

export type TrackerStats = {
  polls: number;
  rpcCalls: number;
  blocksScanned: number;
  settled: number;
  /** eth_getLogs ranges a provider refused as too wide (or too many results), each retried narrower. */
  rangeRefusals: number;
  /** Reorgs found (the cursor's block no longer on the chain), each rewound over. */
  reorgs: number;
  /** Polls made at the idle pace (nothing in flight), and returns to the fast pace (a status change or wake()). */
  idlePolls: number;
  wakes: number;
  /** The current pace: fast while something is in flight (or might be), idle otherwise. */
  pace: 'fast' | 'idle';
};

/** A block number seen at the chain head, and when (Date.now()) it was asked for. */
export type KnownHead = { block: bigint; seenAt: number };

export type InclusionTracker = {
  stats: TrackerStats;
  /** Something is about to be sent: poll at the fast pace from now on (and now). */
  wake(): void;
  /** The newest head this process has read, if it is the leader and has polled. */
  knownHead(): KnownHead | undefined;
  start(): void;
  stop(): Promise<void>;
};

export type CreateInclusionTrackerParameters = {
  /** Poll interval while operations are in flight. */
  pollMs?: number;
  /** Poll interval while nothing is in flight. */
  idlePollMs?: number;
  /** While polling fast, how often to ask the database whether anything is still in flight. */
  inFlightCheckMs?: number;
  /** The process's LISTEN connection; without one, the tracker opens its own. */
  notifications?: Notifications;
  /** Sends a stored UserOperation again (to the bundler): what a reorg took out is re-sent from storage. */
  resend?: (userOp: StoredUserOperation) => Promise<unknown>;
};

export function createInclusionTracker(
  ctx: AppContext & UnitOfWorkContext,
  { pollMs = 50, idlePollMs = 2_000, inFlightCheckMs = 1_000, notifications, resend }: CreateInclusionTrackerParameters = {},
): InclusionTracker {
  const stats: TrackerStats = { polls: 0, rpcCalls: 0, blocksScanned: 0, settled: 0, rangeRefusals: 0, reorgs: 0, idlePolls: 0, wakes: 0, pace: 'fast' };
  const { confirmations, confirmAt, maxLogRange } = ctx.config.tracking;
  /** Inclusions wait for depth: they are recorded first and settled by a later poll. */
  const settlesLater = confirmations > 0 || confirmAt !== 'latest';
  /** The head at the last look for inclusions deep enough to settle (they only change when it moves). */
  let depthCheckedAt: bigint | undefined;
  /** When settled transactions a reorg took out were last re-sent. */
  let reinclusionSentAt = 0;
  let leader: pg.PoolClient | undefined;
  /** Hands the leader's client back to the pool, once (its error handler or stop(), whichever comes first). */
  let releaseLeader: (() => void) | undefined;
  let cursor: CursorPosition | undefined;
  let head: KnownHead | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;
  // Until the database says otherwise, assume there is something to track.
  let inFlight = true;
  const setInFlight = (value: boolean) => {
    inFlight = value;
    stats.pace = value ? 'fast' : 'idle';
  };
  let inFlightCheckedAt = 0;
  /** Bumped by every wake(), so that an in-flight check that started before it cannot undo it. */
  let wakeSeq = 0;
  let interruptSleep: (() => void) | undefined;
  // Per process: a provider's limit learnt in one poll still holds in the next.
  const range = createLogRange({ max: BigInt(maxLogRange), growAfter: GROW_RANGE_AFTER });

  const wake = () => {
    wakeSeq++;
    if (inFlight) return;
    setInFlight(true);
    stats.wakes++;
    // Only the idle sleep is cut short: while polling fast, notifications change nothing.
    interruptSleep?.();
  };

  // Only the leader polls, so only it acts on a status change. After a gap in LISTEN it cannot know
  // what it missed: it looks, at the fast pace.
  const listening = notifications ?? createNotifications(ctx, { channels: [STATUS_CHANNEL] });
  const onStatusChange = () => {
    if (leader) wake();
  };
  const unsubscribe = listening.subscribe(STATUS_CHANNEL, { onNotify: onStatusChange, onGap: onStatusChange });

  const becomeLeader = async (): Promise<boolean> => {
    if (leader) return true;
    const client = await ctx.pool.connect();
    // Until it leads, a failure (the connection lost in a Postgres restart) must hand the client back:
    // a leaked client per failed election would drain the pool and stall the process.
    const onError = (error: Error) => {
      // A lost connection also drops the advisory lock: give up leadership and let the loop re-elect.
      if (leader === client) {
        leader = undefined;
        cursor = undefined;
        head = undefined;
      }
      handBack(error);
    };
    const handBack = (error?: Error) => {
      client.off('error', onError);
      releaseLeader = undefined;
      client.release(error ?? false);
    };
    client.on('error', onError);
    try {
      if (!(await tryAdvisoryLock(client, LEADER_LOCK))) {
        handBack();
        return false;
      }
    } catch (error) {
      handBack(error as Error);
      throw error;
    }
    releaseLeader = handBack;
    leader = client;
    // Whatever happened while another process led (or none did) is unknown: look before slowing down.
    setInFlight(true);
    inFlightCheckedAt = 0;
    return true;
  };

  const loadCursor = async (latest: bigint): Promise<CursorPosition> => {
    const saved = await findCursor(ctx.db, TRACKER_CURSOR);
    if (saved !== undefined) return saved;
    // First run: start just before the oldest operation still in flight, or at the head.
    const oldest = await oldestInFlightBlock(ctx.db);
    return { block: oldest !== undefined ? oldest - 1n : latest - 1n };
  };

  /** The chain's block hashes as of this poll, each asked for once. */
  const hashesAsOf = (header: ChainHead) => {
    const known = new Map<bigint, Promise<string | undefined>>([[header.number, Promise.resolve(header.hash)]]);
    return (block: bigint): Promise<string | undefined> => {
      if (block > header.number) return Promise.resolve(undefined);
      let hash = known.get(block);
      if (!hash) {
        stats.rpcCalls++;
        hash = ctx.publicClient.getBlock({ blockNumber: block }).then((b) => b.hash ?? undefined);
        known.set(block, hash);
      }
      return hash;
    };
  };

  const poll = async () => {
    stats.polls++;
    if (!inFlight) stats.idlePolls++;
    const askedAt = Date.now();
    const header = await ctx.publicClient.getBlock({ blockTag: 'latest' });
    stats.rpcCalls++;
    const latest = header.number;
    head = { block: latest, seenAt: askedAt };
    const canonicalHash = hashesAsOf(header);
    cursor ??= await loadCursor(latest);
    const reorg = await findReorg(ctx.db, { cursor, head: header, canonicalHash });
    if (reorg) await rewind(reorg, canonicalHash);
    // At the head unless inclusions wait for depth; then asked for once per poll, and only when needed.
    let upTo: Promise<bigint> | undefined;
    const settledUpTo = (): Promise<bigint> => {
      if (!settlesLater) return Promise.resolve(latest);
      upTo ??= settledHeight(ctx, latest);
      return upTo;
    };
    let from = cursor.block;
    while (from < latest && !stopped) {
      const { fromBlock, toBlock } = nextRange(from, latest, range.size);
      const width = toBlock - fromBlock + 1n;
      let logs: DecodedLog[];
      try {
        logs = await ctx.publicClient.getLogs({
          address: ctx.config.contracts.entryPoint as Address,
          events: [USER_OPERATION_EVENT, USER_OPERATION_REVERT_REASON],
          fromBlock,
          toBlock,
          strict: true,
        });
      } catch (error) {
        stats.rpcCalls++;
        // Too wide for this provider: the same blocks again, narrower, at once. The cursor stays put,
        // so no block is passed over; anything else fails the poll as before.
        if (!isLogRangeError(error) || !range.shrink(width)) throw error;
        stats.rangeRefusals++;
        ctx.logger.info({ fromBlock, toBlock, nextWidth: range.size }, 'eth_getLogs range refused by the provider; narrowing it');
        continue;
      }
      stats.rpcCalls++;
      range.succeeded(width);
      stats.blocksScanned += Number(width);
      const events = toInclusionEvents(logs);
      const settled = events.length ? await settleInclusions(ctx, events, { settleUpTo: await settledUpTo() }) : [];
      stats.settled += settled.length;
      for (const s of settled) ctx.logger.info({ transactionId: s.transactionId, status: s.status }, 'transaction settled on-chain');
      // Only the head's hash is known without asking: a cursor inside a backlog is checked from the next save on.
      const hash = toBlock === latest ? header.hash : undefined;
      await saveCursorBlock(ctx.db, { name: TRACKER_CURSOR, block: toBlock, hash });
      cursor = { block: toBlock, hash: hash?.toLowerCase() };
      from = toBlock;
    }
    if (settlesLater && depthCheckedAt !== latest && !stopped) {
      const settled = await settlePendingInclusions(ctx, { settleUpTo: await settledUpTo(), canonicalHash });
      depthCheckedAt = latest;
      stats.settled += settled.length;
      for (const s of settled) ctx.logger.info({ transactionId: s.transactionId, status: s.status }, 'transaction settled on-chain at its depth');
    }
    await resendAwaitingReinclusion();
  };

  /** The cursor's block is gone: forget what was recorded above the common ancestor, rewind, re-send. */
  const rewind = async ({ ancestor, verified }: ReorgFinding, canonicalHash: (block: bigint) => Promise<string | undefined>) => {
    stats.reorgs++;
    const gone = await forgetReorgedInclusions(ctx.db, { ancestor });
    chainReorgs.inc({ kind: 'reorg' });
    for (const row of gone) chainReorgs.inc({ kind: isTerminal(row.status) ? 'settled-inclusion' : 'pending-inclusion' });
    const hash = await canonicalHash(ancestor);
    ctx.logger.warn(
      { cursor: cursor?.block, ancestor, verified, forgotten: gone.map((g) => g.id) },
      verified
        ? 'chain reorganised: rewinding to the newest block still on the chain'
        : 'chain reorganised: no recorded block to compare, rewinding the search depth',
    );
    await saveCursorBlock(ctx.db, { name: TRACKER_CURSOR, block: ancestor, hash });
    cursor = { block: ancestor, hash: hash?.toLowerCase() };
    depthCheckedAt = undefined;
    setInFlight(true);
    for (const row of gone) await resendStored(row);
    reinclusionSentAt = Date.now();
  };

  /** The operation the reorg took out (the replacement, when that was what was included), sent again as stored. */
  const resendStored = async (row: Pick<ReorgedInclusion, 'id' | 'status' | 'user_op' | 'replacement_user_op' | 'included_outcome'>) => {
    const userOp = (row.included_outcome ?? row.status) === 'EXPIRED' ? row.replacement_user_op : row.user_op;
    if (!resend || !userOp) return;
    try {
      await resend(userOp);
    } catch (error) {
      // Not fatal: a SUBMITTED one is re-sent by its job's stall handling, a settled one on the next round.
      ctx.logger.warn({ transactionId: row.id, reason: (error as Error).message }, 're-send after a reorg failed; trying again later');
    }
  };

  /** Settled transactions taken out by a reorg: re-sent every STALLED_AFTER_SECONDS until included again. */
  const resendAwaitingReinclusion = async () => {
    const every = ctx.config.transactions.stalledAfterSeconds * 1000;
    if (!resend || Date.now() - reinclusionSentAt < every) return;
    reinclusionSentAt = Date.now();
    for (const row of await awaitingReinclusion(ctx.db)) await resendStored({ ...row, included_outcome: null });
  };

  /** Re-reads whether anything is in flight, at most every inFlightCheckMs. */
  const refreshInFlight = async () => {
    const now = Date.now();
    if (now - inFlightCheckedAt < inFlightCheckMs) return;
    const seq = wakeSeq;
    const found = await anythingInFlight(ctx.db);
    inFlightCheckedAt = now;
    // A wake() during the query wins: it announced something the query may not have seen.
    if (wakeSeq === seq) setInFlight(found);
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interruptSleep = undefined;
        resolve();
      }
      interruptSleep = done;
    });

  const loop = async () => {
    while (!stopped) {
      let delay = FOLLOWER_RETRY_MS;
      try {
        if (await becomeLeader()) {
          await refreshInFlight();
          await poll();
          delay = inFlight ? pollMs : idlePollMs;
        }
      } catch (error) {
        ctx.logger.warn({ err: error }, 'inclusion tracker poll failed; retrying');
        delay = 500;
      }
      if (!stopped) await sleep(delay);
    }
  };

  return {
    stats,
    wake,
    knownHead: () => (leader ? head : undefined),
    start() {
      if (!notifications) void listening.start();
      running = loop();
    },
    async stop() {
      stopped = true;
      interruptSleep?.();
      await running;
      unsubscribe();
      if (!notifications) await listening.stop();
      if (leader) {
        const client = leader;
        leader = undefined;
        await advisoryUnlock(client, LEADER_LOCK).catch(() => {});
        // Unless its connection failed meanwhile, and its error handler handed it back already.
        releaseLeader?.();
      }
    },
  };
}

/** A decoded EntryPoint log as getLogs returns it (mined logs: block and hash are set). */
export type DecodedLog = Pick<Log, 'transactionHash' | 'blockNumber' | 'blockHash'> & { eventName: string; args: Record<string, unknown> };

export function toInclusionEvents(logs: readonly DecodedLog[]): InclusionEvent[] {
  const reasons = new Map<string, Hex>();
  for (const log of logs) {
    if (log.eventName === 'UserOperationRevertReason') reasons.set(log.args.userOpHash as string, log.args.revertReason as Hex);
  }
  return logs.flatMap((log) =>
    log.eventName !== 'UserOperationEvent'
      ? []
      : [
          {
            userOpHash: log.args.userOpHash as Hex,
            success: log.args.success as boolean,
            actualGasUsed: log.args.actualGasUsed as bigint,
            actualGasCost: log.args.actualGasCost as bigint,
            transactionHash: log.transactionHash!,
            blockNumber: log.blockNumber!,
            blockHash: log.blockHash!,
            revertReason: reasons.get(log.args.userOpHash as string),
          },
        ],
  );
}
