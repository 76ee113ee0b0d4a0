// No double spend and idempotent requests across API processes: two `chronos api` processes on one
// database, each with its own accept batches and caches, are sent one user's requests at once. Only
// the database can decide between them — the per-user lock for the balance, the unique (client, key)
// for the idempotency key — and what it lets through is then executed on-chain by a worker.
import { erc20Abi, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, createWallet, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { startApiProcesses, stopChronos, type ApiProcess } from '../support/processes.js';
import { remote, type Remote, type RemoteResponse } from '../ops/support/remote.js';

let t: TestApp;
let actor: Actor;
let processes: ApiProcess[] = [];
let apis: Remote[] = [];

beforeAll(async () => {
  // The in-process worker takes what either API accepted on-chain.
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
  processes = await startApiProcesses(t.env, 2);
  apis = processes.map((p) => remote(p.url));
}, 120_000);
afterAll(async () => {
  await Promise.all(processes.map(stopChronos));
  await t.close();
});

const someone = () => privateKeyToAccount(generatePrivateKey()).address;
const balanceOf = (address: Address) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
const rowsOf = (userId: string) =>
  t.ctx.db.selectFrom('transactions').select('id').where('client_id', '=', actor.client.clientId).where('user_id', '=', userId).execute();

async function until(condition: () => Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Sessions of this database waiting for a lock. */
async function lockWaiters(): Promise<number> {
  const { rows } = await t.ctx.pool.query<{ n: number }>(
    `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}

/** The same transfer request, sent `perProcess` times to each API process at once. */
function sendToBoth(perProcess: number, userId: string, body: () => object, headers: Record<string, string> = {}): Promise<RemoteResponse[]> {
  return Promise.all(
    Array.from({ length: perProcess * apis.length }, (_, i) =>
      apis[i % apis.length].call('POST', '/api/v1/wallet/transfer', { token: actor.token, userId, body: body(), headers }),
    ),
  );
}

describe("one user's requests sent to two API processes at once", () => {
  it('accepts exactly what the balance allows, and exactly that is executed on-chain', async () => {
    const wallet = await createWallet(t, actor, 'two-process-spender');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('5') });
    const recipients: Address[] = [];
    const results = await sendToBoth(8, 'two-process-spender', () => {
      const to = someone();
      recipients.push(to);
      return { to, amount: '1' };
    });

    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(5);
    for (const r of results.filter((res) => res.status !== 202)) expect([r.status, r.body.code]).toEqual([400, 'INSUFFICIENT_BALANCE']);
    expect((await rowsOf('two-process-spender')).map((row) => row.id).sort()).toEqual(accepted.map((r) => r.body.transactionId).sort());

    const done = await Promise.all(accepted.map((r) => waitForTerminal(t, actor, r.body.transactionId)));
    expect(done.map((d) => d.status)).toEqual(accepted.map(() => 'CONFIRMED'));
    expect(await balanceOf(wallet)).toBe(0n);
    const received = await Promise.all(recipients.map(balanceOf));
    expect(received.reduce((sum, b) => sum + b, 0n)).toBe(parseEther('5'));
  }, 90_000);

  it('when both processes have read the balance before either writes, only one of two transfers that together exceed it is accepted', async () => {
    const wallet = await createWallet(t, actor, 'two-process-interleaved');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('1') });
    // New transaction rows wait until both accepts are under way: each would have read the user's
    // in-flight debits by then, were it not for the per-user lock the second waits on.
    const session = await t.ctx.pool.connect();
    let results: RemoteResponse[];
    try {
      await session.query('begin');
      await session.query('lock table transactions in share mode');
      const answers = sendToBoth(1, 'two-process-interleaved', () => ({ to: someone(), amount: '1' }));
      await until(async () => (await lockWaiters()) === 2);
      await session.query('commit');
      results = await answers;
    } finally {
      session.release();
    }
    expect(results.map((r) => r.status).sort()).toEqual([202, 400]);
    expect(results.find((r) => r.status === 400)!.body.code).toBe('INSUFFICIENT_BALANCE');
    const accepted = results.find((r) => r.status === 202)!;
    expect((await rowsOf('two-process-interleaved')).map((row) => row.id)).toEqual([accepted.body.transactionId]);
    expect((await waitForTerminal(t, actor, accepted.body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(wallet)).toBe(0n);
  }, 90_000);

  it('creates one transaction for one idempotency key, and every answer from either process is the same 202', async () => {
    const wallet = await createWallet(t, actor, 'two-process-keyed');
    await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('5') });
    const to = someone();
    const results = await sendToBoth(10, 'two-process-keyed', () => ({ to, amount: '2' }), { 'X-Idempotency-Key': 'both-processes' });

    expect(results.map((r) => r.status)).toEqual(results.map(() => 202));
    expect(results.map((r) => r.body)).toEqual(results.map(() => ({ transactionId: results[0].body.transactionId, status: 'ACCEPTED' })));
    expect(results.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect((await rowsOf('two-process-keyed')).map((row) => row.id)).toEqual([results[0].body.transactionId]);

    expect((await waitForTerminal(t, actor, results[0].body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(to)).toBe(parseEther('2'));
    expect(await balanceOf(wallet)).toBe(parseEther('3'));
  }, 90_000);
});
