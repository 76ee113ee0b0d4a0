// A worker process that dies holding job locks: another process unlocks them within
// WORKER_STALE_AFTER_MS, even when the process that found it dead is itself killed mid-recovery, or
// the dead worker's heartbeat row is gone, so the jobs (and every later operation of its users, which
// wait behind them) still reach a terminal status within seconds, not after graphile-worker's 4 hours.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { chainState, FAST_LIVENESS, killed, lockedJobs, processPool } from './crash-support.js';
import { createWallet } from '../support/operations.js';

let t: TestApp;
let actor: Actor;
let processes: ReturnType<typeof processPool>;

beforeAll(async () => {
  t = await createTestApp({ env: FAST_LIVENESS });
  actor = await createMintingClient(t);
  processes = processPool(t);
});
afterAll(async () => {
  await processes.stopAll();
  await t.close();
});

/** Accepts two mints for each of `users`; returns their transaction ids. */
async function acceptMints(users: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const user of users) {
    for (const n of [1, 2]) {
      const res = await requestMint(t, actor, user, { receiptId: `${user}-receipt-${n}`, amountWei: 3n });
      expect(res.status).toBe(202);
      ids.push(res.body.transactionId);
    }
  }
  return ids;
}

/** Worker A takes the jobs and is killed (SIGKILL) while it holds their locks. */
async function killWorkerHoldingLocks(): Promise<{ workerIds: string[] }> {
  const a = processes.start('worker', { failpoints: 'after-userop-sent' });
  expect(await killed(a, 30_000, 'worker A')).toBe('SIGKILL');
  const rows = await t.ctx.db.selectFrom('worker_processes').select('worker_ids').execute();
  expect(rows).toHaveLength(1);
  const held = await lockedJobs(t);
  expect(held.length).toBeGreaterThan(0);
  expect(held.every((j) => rows[0].worker_ids.includes(j.locked_by))).toBe(true);
  return { workerIds: rows[0].worker_ids };
}

async function expectAllConfirmed(users: string[], ids: string[]) {
  const c = processes.start('worker');
  // Within seconds: C's own first heartbeat (or the next) unlocks, and the jobs run at once.
  const done = await Promise.all(ids.map((id) => waitForTerminal(t, actor, id, 15_000))).catch((error) => {
    throw new Error(`${(error as Error).message}\nworker C output:\n${c.output()}`);
  });
  expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
  for (const user of users) {
    const wallet = await createWallet(t, actor, user);
    expect(await chainState(t, actor.client.tokenAddress, wallet)).toEqual({ balances: [6n], accountNonce: 2n });
  }
  // A CONFIRMED transaction's job still has its last step to finish (a user's jobs run in parallel
  // lanes, so one job's end no longer waits behind another's): every lock is released within seconds.
  for (const deadline = Date.now() + 10_000; (await lockedJobs(t)).length > 0 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  expect(await lockedJobs(t)).toEqual([]);
}

describe('when a worker dies holding job locks', () => {
  afterEach(() => processes.stopAll());

  it('and the worker that removes its heartbeat is killed right then, a third worker still finishes every transaction within seconds', async () => {
    const users = ['liveness-a1', 'liveness-a2', 'liveness-a3'];
    const ids = await acceptMints(users);
    const { workerIds } = await killWorkerHoldingLocks();

    // B finds A's heartbeat stale, removes it, and is killed at that very moment.
    const b = processes.start('worker', { failpoints: 'after-stale-workers-removed' });
    expect(await killed(b, 30_000, 'worker B')).toBe('SIGKILL');
    const remaining = await t.ctx.db.selectFrom('worker_processes').select('worker_ids').execute();
    expect(remaining.flatMap((r) => r.worker_ids).some((id) => workerIds.includes(id))).toBe(false);

    await expectAllConfirmed(users, ids);
  });

  it('whose heartbeat row is already gone, the locks no live heartbeat accounts for are freed within seconds', async () => {
    const users = ['liveness-b1', 'liveness-b2'];
    const ids = await acceptMints(users);
    await killWorkerHoldingLocks();
    // As left by an older Chronos killed between removing the row and unlocking, or by an operator.
    await t.ctx.db.deleteFrom('worker_processes').execute();
    await expectAllConfirmed(users, ids);
  });
});
