// Finds out which UserOperations were included by reading the EntryPoint's logs block range by block
// range: one eth_blockNumber per poll and one eth_getLogs per new range, however many operations are
// pending. One process at a time tracks (a Postgres advisory lock); the cursor lives in the database.
import { parseAbiItem, type Address, type Hex, type Log } from 'viem';
import type pg from 'pg';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import { settleInclusions, type InclusionEvent } from './settle.js';

export const USER_OPERATION_EVENT = parseAbiItem('event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)');
export const USER_OPERATION_REVERT_REASON = parseAbiItem('event UserOperationRevertReason(bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason)');

export const TRACKER_CURSOR = 'entrypoint-logs';
const LEADER_LOCK_KEY = 7243511;
const MAX_RANGE = 1_000n;

export type TrackerStats = { polls: number; rpcCalls: number; blocksScanned: number; settled: number };

export type InclusionTracker = { stats: TrackerStats; start(): void; stop(): Promise<void> };

export function createInclusionTracker(ctx: AppContext, { pollMs = 50 }: { pollMs?: number } = {}): InclusionTracker {
  const stats: TrackerStats = { polls: 0, rpcCalls: 0, blocksScanned: 0, settled: 0 };
  let leader: pg.PoolClient | undefined;
  let cursor: bigint | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;

  const becomeLeader = async (): Promise<boolean> => {
    if (leader) return true;
    const client = await ctx.pool.connect();
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LEADER_LOCK_KEY]);
    if (!rows[0].ok) { client.release(); return false; }
    // A lost connection also drops the advisory lock: give up leadership and let the loop re-elect.
    client.on('error', (error) => {
      if (leader !== client) return;
      leader = undefined;
      cursor = undefined;
      client.release(error);
    });
    leader = client;
    return true;
  };

  const loadCursor = async (latest: bigint): Promise<bigint> => {
    const row = await ctx.db.selectFrom('chain_cursors').select('block').where('name', '=', TRACKER_CURSOR).executeTakeFirst();
    if (row) return BigInt(row.block);
    // First run: start just before the oldest operation still in flight, or at the head.
    const oldest = await ctx.db.selectFrom('transactions').select(sql<string | null>`min(submitted_block)::text`.as('b'))
      .where('status', 'in', ['SUBMITTING', 'SUBMITTED']).executeTakeFirst();
    return oldest?.b ? BigInt(oldest.b) - 1n : latest - 1n;
  };

  const saveCursor = (block: bigint) => ctx.db.insertInto('chain_cursors').values({ name: TRACKER_CURSOR, block })
    .onConflict((oc) => oc.column('name').doUpdateSet({ block, updated_at: sql`now()` })).execute();

  const poll = async () => {
    stats.polls++;
    if (!(await becomeLeader())) return;
    const latest = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    stats.rpcCalls++;
    let from: bigint = cursor ?? (await loadCursor(latest));
    cursor = from;
    while (from < latest && !stopped) {
      const fromBlock: bigint = from + 1n;
      const toBlock = latest - fromBlock >= MAX_RANGE ? fromBlock + MAX_RANGE - 1n : latest;
      const logs = await ctx.publicClient.getLogs({
        address: ctx.config.contracts.entryPoint as Address,
        events: [USER_OPERATION_EVENT, USER_OPERATION_REVERT_REASON],
        fromBlock, toBlock, strict: true,
      });
      stats.rpcCalls++;
      stats.blocksScanned += Number(toBlock - fromBlock + 1n);
      const settled = await settleInclusions(ctx.db, toInclusionEvents(logs));
      stats.settled += settled.length;
      for (const s of settled) ctx.logger.info({ transactionId: s.transactionId, status: s.status }, 'transaction settled on-chain');
      await saveCursor(toBlock);
      cursor = from = toBlock;
    }
  };

  const loop = async () => {
    while (!stopped) {
      try {
        await poll();
      } catch (error) {
        ctx.logger.warn({ err: error }, 'inclusion tracker poll failed; retrying');
        await sleep(500);
      }
      await sleep(leader ? pollMs : 1_000);
    }
  };

  return {
    stats,
    start() { running = loop(); },
    async stop() {
      stopped = true;
      await running;
      if (leader) {
        await leader.query('select pg_advisory_unlock($1)', [LEADER_LOCK_KEY]).catch(() => {});
        leader.release();
        leader = undefined;
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
  return logs.flatMap((log) => log.eventName !== 'UserOperationEvent' ? [] : [{
    userOpHash: log.args.userOpHash as Hex,
    success: log.args.success as boolean,
    actualGasUsed: log.args.actualGasUsed as bigint,
    actualGasCost: log.args.actualGasCost as bigint,
    transactionHash: log.transactionHash!,
    blockNumber: log.blockNumber!,
    revertReason: reasons.get(log.args.userOpHash as string),
  }]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
