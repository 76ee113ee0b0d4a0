// Shared by the tests that kill Chronos processes: start `chronos worker`/`chronos api` with failpoints
// armed, wait for the kill, and read what the chain says happened (balances and nonces).
import { parseAbi, type Address } from 'viem';
import type { TestApp } from '../support/test-app.js';
import { spawnChronos, stopChronos, type ChronosProcess } from '../support/processes.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';

const entryPointAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);

/** Fast heartbeats, so that a dead worker's jobs are unlocked within seconds. */
export const FAST_LIVENESS = { WORKER_HEARTBEAT_MS: '200', WORKER_STALE_AFTER_MS: '1500' };

export function processPool(t: TestApp) {
  const started: ChronosProcess[] = [];
  return {
    start(role: 'worker' | 'api', { failpoints, env = {} }: { failpoints?: string; env?: Record<string, string> } = {}): ChronosProcess {
      const p = spawnChronos(role, {
        // Port 0: processes of other test runs on this machine must not collide on the default ops port.
        ...t.env,
        METRICS_PORT: '0',
        LOG_LEVEL: process.env.CHRONOS_TEST_WORKER_LOG_LEVEL ?? 'warn',
        ...env,
        ...(failpoints && { CHRONOS_FAILPOINTS: failpoints }),
      });
      started.push(p);
      return p;
    },
    stopAll: () => Promise.all(started.map(stopChronos)),
  };
}

/** Resolves with how the process ended; rejects (with its output) if it is still running after `ms`. */
export async function killed(p: ChronosProcess, ms = 30_000, what = 'the process'): Promise<NodeJS.Signals | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not die within ${ms} ms:\n${p.output()}`)), ms);
  });
  try {
    return (await Promise.race([p.exited, timeout])).signal;
  } finally {
    clearTimeout(timer);
  }
}

/** What the chain says: the balance on `token` (the client's) of each address and the EntryPoint nonce of `wallet`. */
export async function chainState(t: TestApp, token: Address, wallet: Address, others: Address[] = []) {
  const balanceOf = (address: Address) =>
    t.ctx.publicClient.readContract({
      address: token,
      abi: chronosTokenAbi,
      functionName: 'balanceOf',
      args: [address],
    }) as Promise<bigint>;
  return {
    balances: await Promise.all([wallet, ...others].map(balanceOf)),
    accountNonce: await t.ctx.publicClient.readContract({
      address: t.config.contracts.entryPoint,
      abi: entryPointAbi,
      functionName: 'getNonce',
      args: [wallet, 0n],
    }),
  };
}

/** The graphile-worker jobs still locked, with who holds them. */
export async function lockedJobs(t: TestApp): Promise<{ id: string; locked_by: string }[]> {
  const { rows } = await t.ctx.pool.query('select id::text, locked_by from graphile_worker._private_jobs where locked_by is not null');
  return rows;
}
