// Finds out which UserOperations were included by reading the EntryPoint's logs block range by block
// range: one eth_blockNumber per poll and one eth_getLogs per new range, however many operations are
// pending. One process at a time tracks (a Postgres advisory lock); the cursor lives in the database.
//
// It polls fast only while something is in flight (SUBMITTING or SUBMITTED). With nothing in flight it
// backs off to a slow poll that keeps the cursor near the head; a status change anywhere (heard on the
// status channel, through the process's one LISTEN connection) or wake() from this process switches it
// back to fast at once, before the operation that caused it can have been sent.
import { parseAbiItem, type Address, type Hex, type Log } from 'viem';
import type pg from 'pg';
import type { AppContext } from '../context.js';
import { STATUS_CHANNEL } from '../status/transition.js';
import type { UnitOfWorkContext } from '../status/unit-of-work.js';
import { settleInclusions, type InclusionEvent } from './settle.js';
import { ADVISORY_LOCKS, advisoryUnlock, tryAdvisoryLock } from '../db/advisory-locks.js';
import { TRACKER_CURSOR, findCursorBlock, saveCursorBlock } from '../db/chain-cursors.js';
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
/** The widest eth_getLogs range asked for; a backlog longer than this is read in several. */
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
};

export function createInclusionTracker(
  ctx: AppContext & UnitOfWorkContext,
  { pollMs = 50, idlePollMs = 2_000, inFlightCheckMs = 1_000, notifications }: CreateInclusionTrackerParameters = {},
): InclusionTracker {
  const stats: TrackerStats = { polls: 0, rpcCalls: 0, blocksScanned: 0, settled: 0, rangeRefusals: 0, idlePolls: 0, wakes: 0, pace: 'fast' };
  let leader: pg.PoolClient | undefined;
  /** Hands the leader's client back to the pool, once (its error handler or stop(), whichever comes first). */
  let releaseLeader: (() => void) | undefined;
  let cursor: bigint | undefined;
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
  const range = createLogRange({ max: MAX_RANGE, growAfter: GROW_RANGE_AFTER });

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

  const loadCursor = async (latest: bigint): Promise<bigint> => {
    const saved = await findCursorBlock(ctx.db, TRACKER_CURSOR);
    if (saved !== undefined) return saved;
    // First run: start just before the oldest operation still in flight, or at the head.
    const oldest = await oldestInFlightBlock(ctx.db);
    return oldest !== undefined ? oldest - 1n : latest - 1n;
  };

  const poll = async () => {
    stats.polls++;
    if (!inFlight) stats.idlePolls++;
    const askedAt = Date.now();
    const latest = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    stats.rpcCalls++;
    head = { block: latest, seenAt: askedAt };
    let from: bigint = cursor ?? (await loadCursor(latest));
    cursor = from;
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
      const settled = await settleInclusions(ctx, toInclusionEvents(logs));
      stats.settled += settled.length;
      for (const s of settled) ctx.logger.info({ transactionId: s.transactionId, status: s.status }, 'transaction settled on-chain');
      await saveCursorBlock(ctx.db, { name: TRACKER_CURSOR, block: toBlock });
      cursor = from = toBlock;
    }
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
export type DecodedLog = Pick<Log, 'transactionHash' | 'blockNumber'> & { eventName: string; args: Record<string, unknown> };

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
            revertReason: reasons.get(log.args.userOpHash as string),
          },
        ],
  );
}
