// (4) Confirmation tracking cost: JSON-RPC calls Chronos makes to the chain per block, with 1 and with
// many operations pending. A `chronos worker` talks to anvil through a counting proxy; pending
// operations are SUBMITTED rows with made-up UserOperation hashes (no job, nothing to send), and the
// bench mines K empty blocks at a steady pace with evm_mine (straight to anvil, not counted).
import { sql } from 'kysely';
import { createDb, createPool, type Db } from '../../src/db/connect.js';
import { registerClient } from '../api.js';
import { startChronos } from '../chronos-process.js';
import { startRpcCounter } from '../rpc-counter.js';
import { chronosEnv, compare, type Comparison, type PhaseContext } from './context.js';
import { TRACKER_CURSOR } from '../../src/db/chain-cursors.js';

export type TrackingRun = { pending: number; blocks: number; calls: number; callsPerBlock: number; byMethod: Record<string, number> };

export type TrackingResults = { blockIntervalMs: number; one: TrackingRun; many: TrackingRun; comparisons: { callsPerBlock: Comparison } };

export const TRACKING_STEPS = 3;

export async function runTrackingPhase({ stack, cleanup, progress, flags, chronosRoot }: PhaseContext): Promise<TrackingResults> {
  progress.step('tracking: chronos worker behind a counting RPC proxy');
  const databaseUrl = await stack.newDatabase('bench_tracking');
  const { clientId } = await registerClient(databaseUrl);
  const counter = await startRpcCounter(stack.rpcUrl);
  cleanup.add('rpc counter', counter.close);
  const pool = createPool({ connectionString: databaseUrl, max: 2 });
  const db = createDb(pool);
  cleanup.add('tracking db pool', () => db.destroy());
  await insertPending(db, stack.rpcUrl, { clientId, from: 1, to: 1 });
  const worker = await startChronos(cleanup, stack, {
    root: chronosRoot,
    role: 'worker',
    databaseUrl,
    rpcUrl: counter.url,
    logLevel: flags.logLevel,
    cpuProf: flags.cpuProf,
    env: chronosEnv(flags),
  });

  const measure = async (pending: number): Promise<TrackingRun> => {
    progress.step(`tracking: ${pending} pending, ${flags.blocks} blocks every ${flags.blockIntervalMs} ms`);
    await waitForCursorAtHead(db, stack.rpcUrl);
    counter.reset();
    for (let i = 0; i < flags.blocks; i++) {
      await rpc(stack.rpcUrl, 'evm_mine');
      await new Promise((r) => setTimeout(r, flags.blockIntervalMs));
    }
    await waitForCursorAtHead(db, stack.rpcUrl);
    const byMethod = { ...counter.counts };
    const calls = counter.total();
    progress.note(`${pending} pending: ${calls} calls over ${flags.blocks} blocks = ${(calls / flags.blocks).toFixed(2)}/block ${JSON.stringify(byMethod)}`);
    return { pending, blocks: flags.blocks, calls, callsPerBlock: calls / flags.blocks, byMethod };
  };
  const one = await measure(1);
  await insertPending(db, stack.rpcUrl, { clientId, from: 2, to: flags.pending });
  const many = await measure(flags.pending);
  await worker.stop();
  return {
    blockIntervalMs: flags.blockIntervalMs,
    one,
    many,
    comparisons: {
      callsPerBlock: compare('calls/block', many.callsPerBlock, one.callsPerBlock, {
        text: `with ${flags.pending} ≤ 1.1 × with 1`,
        met: ({ ratio }) => ratio <= 1.1,
      }),
    },
  };
}

/** SUBMITTED transfers numbered from..to, submitted at the current head, with unique fake hashes. */
async function insertPending(db: Db, rpcUrl: string, { clientId, from, to }: { clientId: string; from: number; to: number }): Promise<void> {
  if (to < from) return;
  const head = BigInt((await rpc(rpcUrl, 'eth_blockNumber')) as string);
  await sql`
    insert into transactions (id, client_id, user_id, wallet_address, type, status, params, debit_wei, user_op, user_op_hash,
                              submitted_block, submitted_at, deadline_at)
    select 'tx_pending' || lpad(i::text, 19, '0'), ${clientId}, 'pending-user-' || i, '0x' || lpad(to_hex(i), 40, '0'), 'transfer', 'SUBMITTED',
           jsonb_build_object('to', '0x000000000000000000000000000000000000dEaD', 'amountWei', '1000'), 1000, '{}'::jsonb,
           '0x' || encode(sha256(('bench-pending-' || i)::bytea), 'hex'),
           ${head.toString()}::bigint, now(), now() + interval '1 day'
    from generate_series(${from}::int, ${to}::int) as i
  `.execute(db);
}

async function waitForCursorAtHead(db: Db, rpcUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = BigInt((await rpc(rpcUrl, 'eth_blockNumber')) as string);
    const row = await db.selectFrom('chain_cursors').select('block').where('name', '=', TRACKER_CURSOR).executeTakeFirst();
    if (row && BigInt(row.block) >= head) return;
    if (Date.now() > deadline) throw new Error(`the tracker's cursor (${row?.block ?? 'none'}) did not reach the head (${head}) within ${timeoutMs} ms`);
    // No cursor yet: the tracker writes it only after scanning a new block.
    if (!row) await rpc(rpcUrl, 'evm_mine');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
