// One user's accept lock cannot hold up anyone else's accepts. The lock is the user's own wallet row,
// so no X-User-Id, however chosen, shares a lock with another user or with Chronos's own locks (the
// tracker leader's, held for as long as it leads); a lock wait is bounded, and only the waiting user's
// requests are refused when it runs out; the queue in front of the accept batches is bounded too.
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { craftSuffixHashingTo } from './support/pg-hash.js';
import { createInclusionTracker } from '../../src/tracking/inclusion-tracker.js';
import { createApp } from '../../src/http/app.js';
import { createRouteContext } from '../../src/http/route-context.js';
import { createAcceptor } from '../../src/transactions/accept.js';
import { createWalletChainStates } from '../../src/chain/wallet-chain-state.js';
import { createGasFeeCap } from '../../src/chain/gas-fee-cap.js';

/** The tracker leader's advisory lock key before it moved to a namespace of its own. */
const OLD_LEADER_LOCK_KEY = 7243511n;

let t: TestApp;
let attacker: Actor;
let victim: Actor;

beforeAll(async () => {
  t = await createTestApp();
  attacker = await createMintingClient(t);
  victim = await createMintingClient(t);
});
afterAll(() => t.close());

const someone = () => privateKeyToAccount(generatePrivateKey()).address;
const transfer = (app: TestApp, actor: Actor, userId: string, amount = '1') =>
  Promise.resolve(api(app, actor, userId).post('/api/v1/wallet/transfer', { to: someone(), amount }));

async function fundedUser(actor: Actor, userId: string, tokens = '10') {
  const address = await createWallet(t, actor, userId);
  await fundDirectly(t, actor, { to: address, amountWei: parseEther(tokens) });
}

async function until(condition: () => boolean | Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Sessions of this database waiting for a lock (the accept batches stuck behind a held user). */
async function lockWaiters(): Promise<number> {
  const { rows } = await t.ctx.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}

/** Holds a user's accept lock from another session, as an accept stuck mid-transaction in another process would. */
async function holdUserLock(actor: Actor, userId: string) {
  const session = await t.ctx.pool.connect();
  await session.query('begin');
  const { rowCount } = await session.query('select 1 from wallets where client_id = $1 and user_id = $2 for no key update', [actor.client.clientId, userId]);
  expect(rowCount).toBe(1);
  return {
    release: async () => {
      await session.query('rollback');
      session.release();
    },
  };
}

const transfersOf = (actor: Actor, userId: string) =>
  t.ctx.db.selectFrom('transactions').select('id').where('client_id', '=', actor.client.clientId).where('user_id', '=', userId).execute();

describe('accept locks', () => {
  it("when an X-User-Id is crafted so that its old lock key is the tracker leader's, its transfers and another client's are accepted while the leader leads", async () => {
    const prefix = `${attacker.client.clientId}/`;
    const crafted = craftSuffixHashingTo(prefix, OLD_LEADER_LOCK_KEY);
    // What the attacker checks before sending it: Postgres computes the same key.
    const { rows } = await t.ctx.pool.query<{ key: string }>('select hashtextextended($1, 0)::text as key', [prefix + crafted]);
    expect(rows[0].key).toBe(OLD_LEADER_LOCK_KEY.toString());
    await fundedUser(attacker, crafted);
    await fundedUser(victim, 'bystander');

    const tracker = createInclusionTracker(t.ctx);
    tracker.start();
    try {
      await until(() => tracker.knownHead() !== undefined); // it leads (and holds its lock) from its first poll
      const craftedTransfers = [transfer(t, attacker, crafted), transfer(t, attacker, crafted)];
      expect((await transfer(t, victim, 'bystander')).status).toBe(202);
      expect((await Promise.all(craftedTransfers)).map((res) => res.status)).toEqual([202, 202]);
      expect(await transfersOf(attacker, crafted)).toHaveLength(2);
    } finally {
      await tracker.stop();
    }
  }, 30_000);

  it("when a user's lock stays held past the lock timeout, that user's accepts answer 503 with Retry-After and write nothing, and another client's accept queued with them is accepted", async () => {
    await fundedUser(attacker, 'held');
    await fundedUser(victim, 'queued-with-held');
    const held = await holdUserLock(attacker, 'held');
    try {
      // One stuck batch per lane (there are two)...
      const first = transfer(t, attacker, 'held');
      await until(async () => (await lockWaiters()) === 1);
      const second = transfer(t, attacker, 'held');
      await until(async () => (await lockWaiters()) === 2);
      // ...so these two wait in the queue and are then decided together, in one batch that also waits for 'held'.
      const [other, third] = [transfer(t, victim, 'queued-with-held'), transfer(t, attacker, 'held')];

      expect((await other).status).toBe(202);
      for (const res of await Promise.all([first, second, third])) {
        expectError(res, 503, 'SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      }
      expect(await transfersOf(attacker, 'held')).toHaveLength(0);
      expect(await transfersOf(victim, 'queued-with-held')).toHaveLength(1);
    } finally {
      await held.release();
    }
    // Once the lock is free again, the user's next accept goes through.
    expect((await transfer(t, attacker, 'held')).status).toBe(202);
  }, 30_000);

  it("when an idempotency key stays held by another accept past the lock timeout, only the requests waiting on it answer 503; another client's accept decided in the same batch is accepted", async () => {
    await fundedUser(attacker, 'keyed');
    await fundedUser(victim, 'batched-with-keyed');
    // An accept of another process stuck after claiming the key, before its commit.
    const session = await t.ctx.pool.connect();
    await session.query('begin');
    await session.query(
      `insert into idempotency_keys (client_id, key, request_hash, transaction_id, response_status, response_body)
      values ($1, 'held-key', 'stuck', 'tx_stuck', 202, '{}')`,
      [attacker.client.clientId],
    );
    const keyed = () =>
      Promise.resolve(api(t, attacker, 'keyed').post('/api/v1/wallet/transfer', { to: someone(), amount: '1' }, { 'X-Idempotency-Key': 'held-key' }));
    try {
      // One stuck batch per lane, then a batch of the victim's transfer and one more waiting on the key.
      const first = keyed();
      await until(async () => (await lockWaiters()) === 1);
      const second = keyed();
      await until(async () => (await lockWaiters()) === 2);
      const [other, third] = [transfer(t, victim, 'batched-with-keyed'), keyed()];

      expect((await other).status).toBe(202);
      for (const res of await Promise.all([first, second, third])) {
        expectError(res, 503, 'SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      }
      expect(await transfersOf(attacker, 'keyed')).toHaveLength(0);
      expect(await transfersOf(victim, 'batched-with-keyed')).toHaveLength(1);
    } finally {
      await session.query('rollback');
      session.release();
    }
  }, 60_000);

  it('when more accepts wait than the queue allows, the extra ones answer 503 with Retry-After at once and write nothing; the queued ones are accepted', async () => {
    // An API whose accept queue holds 2 and whose lock waits never time out during the test.
    const queueApp = {
      ...t,
      app: createApp({
        ...createRouteContext(t.ctx),
        acceptor: createAcceptor(t.ctx.db, createWalletChainStates(t.ctx.publicClient), {
          gasFeeCap: createGasFeeCap(t.ctx.publicClient),
          maxQueued: 2,
          lockTimeoutMs: 60_000,
        }),
      }),
    };
    await fundedUser(attacker, 'blocker');
    await fundedUser(victim, 'crowd');
    const held = await holdUserLock(attacker, 'blocker');
    const settled: Awaited<ReturnType<typeof transfer>>[] = [];
    let stuck: ReturnType<typeof transfer>[] = [];
    let crowd: ReturnType<typeof transfer>[] = [];
    try {
      stuck = [transfer(queueApp, attacker, 'blocker')];
      await until(async () => (await lockWaiters()) === 1);
      stuck.push(transfer(queueApp, attacker, 'blocker'));
      await until(async () => (await lockWaiters()) === 2);
      crowd = Array.from({ length: 5 }, () => transfer(queueApp, victim, 'crowd'));
      for (const res of crowd) void res.then((r) => settled.push(r));
      await until(() => settled.length === 3);
      for (const res of settled) {
        expectError(res, 503, 'SERVICE_UNAVAILABLE');
        expect(res.headers['retry-after']).toBe('1');
      }
    } finally {
      await held.release();
    }
    expect((await Promise.all(stuck)).map((res) => res.status)).toEqual([202, 202]);
    const answers = await Promise.all(crowd);
    expect(answers.map((res) => res.status).sort()).toEqual([202, 202, 503, 503, 503]);
    expect(await transfersOf(victim, 'crowd')).toHaveLength(2);
  }, 30_000);
});
