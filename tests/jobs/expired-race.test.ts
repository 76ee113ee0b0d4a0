// The race at the deadline: the bundler took the original late (held it back) and lets it go only
// after Chronos sent the no-op replacement. Exactly one of the two can use the nonce; whichever was
// included is what Chronos reports: CONFIRMED (and no `transaction.expired` webhook) when the
// original won, EXPIRED (the tokens never moved) when the replacement did.
import { parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { startHoldingBundler, type HoldingBundler, type RaceWinner } from '../support/holding-bundler.js';
import { testStackEnv } from '../support/stack-env.js';
import { findTransaction } from '../../src/db/transactions.js';
import { chainState } from './crash-support.js';

const FIVE = parseEther('5');
const ONE = parseEther('1');

describe.each<[RaceWinner, 'CONFIRMED' | 'EXPIRED']>([
  ['original-wins', 'CONFIRMED'],
  ['replacement-wins', 'EXPIRED'],
])('when the held original is released after the replacement was sent (%s)', (winner, expected) => {
  let bundler: HoldingBundler;
  let t: TestApp;
  let actor: Actor;

  beforeAll(async () => {
    bundler = await startHoldingBundler(testStackEnv().bundlerUrl, winner);
    t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url, STALLED_AFTER_SECONDS: '1', INCLUSION_TIMEOUT_SECONDS: '3' } });
    actor = await createMintingClient(t);
    await t.ctx.db.updateTable('clients').set({ webhook_url: 'http://127.0.0.1:9/never' }).where('id', '=', actor.client.clientId).execute();
  });
  afterAll(async () => {
    await t.close();
    await bundler.close();
  });

  it(`reports what was included: ${expected}, balances agreeing, one webhook event for it`, async () => {
    const wallet = await createWallet(t, actor, 'racer');
    await fundDirectly(t, actor, { to: wallet, amountWei: FIVE });
    const to: Address = privateKeyToAccount(generatePrivateKey()).address;
    const res = await api(t, actor, 'racer').post('/api/v1/wallet/transfer', { to, amount: '1' });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId, 40_000);
    const row = (await findTransaction(t.ctx.db, res.body.transactionId))!;
    // The race really ran: a replacement was stored and sent while the original was held.
    expect(row.replacement_user_op_hash).toMatch(/^0x/);
    await bundler.raced();
    expect(bundler.included()).toBe(winner === 'original-wins' ? row.user_op_hash : row.replacement_user_op_hash);

    expect(done.status).toBe(expected);
    expect(await chainState(t, actor.client.tokenAddress, wallet, [to])).toEqual({
      balances: expected === 'CONFIRMED' ? [FIVE - ONE, ONE] : [FIVE, 0n],
      accountNonce: 1n,
    });
    const events = await t.ctx.db
      .selectFrom('webhook_events')
      .select('event_type')
      .where('transaction_id', '=', res.body.transactionId)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.event_type)).toEqual(['transaction.stalled', `transaction.${expected.toLowerCase()}`]);
  });
});
