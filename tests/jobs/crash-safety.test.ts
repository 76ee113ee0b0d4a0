// A worker killed with SIGKILL right after it stores a UserOperation, or right after it sends one:
// once a worker runs again, every transaction still reaches a terminal status and executes exactly once.
import { parseAbi, type Address } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { spawnChronos, stopChronos, type ChronosProcess } from '../support/processes.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { findTransaction } from '../../src/db/transactions.js';

const entryPointAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);

let t: TestApp;
let actor: Actor;
const workers: ChronosProcess[] = [];

beforeAll(async () => {
  // Fast heartbeats so a dead worker's jobs are unlocked within seconds.
  t = await createTestApp({ env: { WORKER_HEARTBEAT_MS: '200', WORKER_STALE_AFTER_MS: '1500' } });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await Promise.all(workers.map(stopChronos));
  await t.close();
});

function startWorker(failpoint?: string): ChronosProcess {
  const p = spawnChronos('worker', {
    ...t.env,
    LOG_LEVEL: process.env.CHRONOS_TEST_WORKER_LOG_LEVEL ?? 'warn',
    ...(failpoint && { CHRONOS_FAILPOINTS: failpoint }),
  });
  workers.push(p);
  return p;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function onChain(wallet: Address, receiptId: string) {
  const read = <T>(functionName: 'balanceOf' | 'nonces', args: [Address]) =>
    t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: chronosTokenAbi, functionName, args }) as Promise<T>;
  return {
    balance: await read<bigint>('balanceOf', [wallet]),
    mintNonce: await read<bigint>('nonces', [wallet]),
    minted: await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: chronosTokenAbi, functionName: 'minted', args: [receiptId] }),
    accountNonce: await t.ctx.publicClient.readContract({
      address: t.config.contracts.entryPoint,
      abi: entryPointAbi,
      functionName: 'getNonce',
      args: [wallet, 0n],
    }),
  };
}

describe.each([
  ['after-userop-stored', 'stores the UserOperation'],
  ['after-userop-sent', 'sends the UserOperation'],
])('a worker killed right after it %s', (failpoint, _what) => {
  it('is followed by one that finishes the transaction, executing it exactly once', async () => {
    const userId = `crash-${failpoint}`;
    const receiptId = `crash-receipt-${failpoint}`;
    const wallet = await createWallet(t, actor, userId);
    const doomed = startWorker(failpoint);
    const res = await requestMint(t, actor, userId, { receiptId, amountWei: 5n });
    expect(res.status).toBe(202);
    const death = await withTimeout(doomed.exited, 30_000, () => `worker did not die at ${failpoint}: ${doomed.output()}`);
    expect(death.signal).toBe('SIGKILL');

    const stored = (await findTransaction(t.ctx.db, res.body.transactionId))!;
    expect(stored.status).toBe('SUBMITTING');
    expect(stored.user_op_hash).toMatch(/^0x/);
    if (failpoint === 'after-userop-stored') expect((await onChain(wallet, receiptId)).minted).toBe(false);

    const survivor = startWorker();
    const done = await waitForTerminal(t, actor, res.body.transactionId, 30_000).catch(async (error) => {
      const jobs = await t.ctx.pool.query('select * from graphile_worker._private_jobs');
      throw new Error(`${(error as Error).message}\nsurvivor output:\n${survivor.output()}\njobs: ${JSON.stringify(jobs.rows)}`);
    });
    expect(done.status).toBe('CONFIRMED');
    // The stored operation was re-sent, not rebuilt.
    expect(done.userOpHash).toBe(stored.user_op_hash);
    expect(await onChain(wallet, receiptId)).toEqual({ balance: 5n, mintNonce: 1n, minted: true, accountNonce: 1n });
    await stopChronos(survivor);
  });
});
