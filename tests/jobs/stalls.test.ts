// A SUBMITTED transaction not included within STALLED_AFTER_SECONDS is flagged (reason, log,
// `transaction.stalled` webhook event) and handled: re-sent, and replaced into EXPIRED at the deadline.
import { erc20Abi, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { findTransaction } from '../../src/db/transactions.js';

let bundler: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url, STALLED_AFTER_SECONDS: '1', INCLUSION_TIMEOUT_SECONDS: '4' } });
  const signerless = await createMintingClient(t);
  actor = signerless;
  await t.ctx.db.updateTable('clients').set({ webhook_url: 'http://127.0.0.1:9/never' }).where('id', '=', actor.client.clientId).execute();
});
afterEach(() => {
  bundler.intercept = undefined;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
});

const stalledEvents = (transactionId: string) =>
  t.ctx.db.selectFrom('webhook_events').selectAll().where('transaction_id', '=', transactionId).where('event_type', '=', 'transaction.stalled').execute();

/** The bundler "accepts" the first `n` sends of the real operation and drops them. */
function dropFirstSends(n: number) {
  let dropped = 0;
  bundler.intercept = (call) => {
    if (call.method !== 'eth_sendUserOperation') return undefined;
    const op = (call.params as [{ callData: string }])[0];
    if (op.callData === '0x' || dropped >= n) return undefined;
    dropped++;
    return { result: `0x${'00'.repeat(32)}` };
  };
}

describe('a transaction the bundler dropped', () => {
  it('is flagged stalled with the reason, re-sent, and then confirmed', async () => {
    await createWallet(t, actor, 'stall-1');
    await fund(t, actor, 'stall-1', '5');
    dropFirstSends(1);
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const res = await api(t, actor, 'stall-1').post('/api/v1/wallet/transfer', { to, amount: '2' });
    const done = await waitForTerminal(t, actor, res.body.transactionId, 30_000);
    expect(done.status).toBe('CONFIRMED');
    const row = (await findTransaction(t.ctx.db, res.body.transactionId))!;
    expect(row.stalled_at).not.toBeNull();
    expect(row.stall_reason).toMatch(/no longer known to the bundler \(dropped\); re-sent/);
    const events = await stalledEvents(res.body.transactionId);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].body as unknown as string).data).toMatchObject({ status: 'SUBMITTED', reason: row.stall_reason });
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [to] })).toBe(
      parseEther('2'),
    );
  });
});

describe('a transaction that never gets in', () => {
  it('is flagged once, then replaced at the deadline and ends EXPIRED', async () => {
    await createWallet(t, actor, 'stall-2');
    await fund(t, actor, 'stall-2', '5');
    dropFirstSends(100);
    const res = await api(t, actor, 'stall-2').post('/api/v1/wallet/transfer', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' });
    const done = await waitForTerminal(t, actor, res.body.transactionId, 30_000);
    expect(done).toMatchObject({ status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT' } });
    expect(await stalledEvents(res.body.transactionId)).toHaveLength(1);
    const expired = await t.ctx.db
      .selectFrom('webhook_events')
      .select('event_type')
      .where('transaction_id', '=', res.body.transactionId)
      .orderBy('id')
      .execute();
    expect(expired.map((e) => e.event_type)).toEqual(['transaction.stalled', 'transaction.expired']);
  });
});
