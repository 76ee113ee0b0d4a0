// Accepts decided in batches, against balances and mint nonces cached per wallet: concurrent requests
// of many users decided as if one by one, and a cached chain read never lets through what a fresh one
// would refuse (nor refuses what a fresh one would allow).
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, requestMint, signMint, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const someone = () => privateKeyToAccount(generatePrivateKey()).address;
const transfer = (userId: string, amount: string, headers: Record<string, string> = {}) =>
  api(t, actor, userId).post('/api/v1/wallet/transfer', { to: someone(), amount }, headers);
const rowsOf = (userId: string) =>
  t.ctx.db.selectFrom('transactions').selectAll().where('client_id', '=', actor.client.clientId).where('user_id', '=', userId).execute();

describe('accept batches', () => {
  it('decides 10 users × 6 concurrent transfers as if one by one: exactly what each balance allows, each with its history and job', async () => {
    const users = Array.from({ length: 10 }, (_, i) => `batch-user-${i}`);
    for (const userId of users) await createWallet(t, actor, userId);
    await Promise.all(users.map((userId) => fund(t, actor, userId, '3')));
    const results = await Promise.all(users.flatMap((userId) => Array.from({ length: 6 }, () => transfer(userId, '1').then((res) => ({ userId, res })))));
    for (const userId of users) {
      const mine = results.filter((r) => r.userId === userId).map((r) => r.res);
      expect(mine.filter((res) => res.status === 202)).toHaveLength(3);
      for (const res of mine.filter((r) => r.status !== 202)) expectError(res, 400, 'INSUFFICIENT_BALANCE');
      const transfers = (await rowsOf(userId)).filter((row) => row.type === 'transfer');
      expect(transfers.map((row) => row.id).sort()).toEqual(
        mine
          .filter((res) => res.status === 202)
          .map((res) => res.body.transactionId)
          .sort(),
      );
    }
    const accepted = results.filter((r) => r.res.status === 202).map((r) => r.res.body.transactionId as string);
    const history = await t.ctx.db
      .selectFrom('transaction_transitions')
      .select(['transaction_id', 'to_status'])
      .where('transaction_id', 'in', accepted)
      .where('from_status', 'is', null)
      .execute();
    expect(history).toHaveLength(30);
    expect(history.every((h) => h.to_status === 'ACCEPTED')).toBe(true);
    const done = await Promise.all(accepted.map((id) => waitForTerminal(t, actor, id)));
    expect(done.map((d) => d.status)).toEqual(accepted.map(() => 'CONFIRMED'));
  });

  it('counts a debit confirmed after the cached balance was read: more than what is left is refused', async () => {
    await createWallet(t, actor, 'cached-debit');
    await fund(t, actor, 'cached-debit', '10');
    // The balance (10) is read and cached by this accept; the transfer then confirms in a later block.
    const first = await transfer('cached-debit', '6');
    expect(first.status).toBe(202);
    expect((await waitForTerminal(t, actor, first.body.transactionId)).status).toBe('CONFIRMED');
    expectError(await transfer('cached-debit', '5'), 400, 'INSUFFICIENT_BALANCE');
    expect((await transfer('cached-debit', '4')).status).toBe(202);
  });

  it('sees a credit that arrived after the balance was cached', async () => {
    const address = await createWallet(t, actor, 'late-credit');
    await fund(t, actor, 'late-credit', '1');
    expect((await transfer('late-credit', '1')).status).toBe(202);
    // Outside Chronos: nothing tells the cache.
    await fundDirectly(t, actor, { to: address, amountWei: parseEther('100') });
    expect((await transfer('late-credit', '50')).status).toBe(202);
    expectError(await transfer('late-credit', '51'), 400, 'INSUFFICIENT_BALANCE');
  });

  it('takes the mint nonce from a fresh read when a mint outside Chronos moved it', async () => {
    const address = await createWallet(t, actor, 'outside-mint');
    await fund(t, actor, 'outside-mint', '1'); // nonce 0 used through Chronos, now cached at 1
    await fundDirectly(t, actor, { to: address, amountWei: 1n }); // nonce 1 used outside
    const res = await requestMint(t, actor, 'outside-mint', { receiptId: 'after-outside-mint', amountWei: 7n });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
  });

  it('lets one of two concurrent mints of the same receipt by different users through, the other 409', async () => {
    const sign = async (userId: string) => {
      const to = await createWallet(t, actor, userId);
      const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
      const signature = await signMint(t, actor, { to, receiptId: 'contested-receipt', amount: 5n, expiryBlock: block + 100n, nonce: 0n });
      return () =>
        api(t, actor, userId).post('/api/v1/mint/execute', {
          receiptId: 'contested-receipt',
          amount: '5',
          signature,
          expiryBlock: String(block + 100n),
          nonce: '0',
        });
    };
    const sends = await Promise.all(['contest-a', 'contest-b', 'contest-c'].map(sign));
    const results = await Promise.all(sends.map((send) => send()));
    expect(results.filter((r) => r.status === 202)).toHaveLength(1);
    for (const res of results.filter((r) => r.status !== 202)) expectError(res, 409, 'RECEIPT_ALREADY_MINTED');
    const rows = await t.ctx.db
      .selectFrom('transactions')
      .select('id')
      .where('type', '=', 'mint')
      .where('user_id', 'in', ['contest-a', 'contest-b', 'contest-c'])
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('answers concurrent uses of one idempotency key with different bodies: one accepted, the others 409', async () => {
    await createWallet(t, actor, 'key-race');
    await fund(t, actor, 'key-race', '10');
    const results = await Promise.all(
      ['1', '2', '3', '1'].map((amount) =>
        api(t, actor, 'key-race').post(
          '/api/v1/wallet/transfer',
          { to: '0x000000000000000000000000000000000000dEaD', amount },
          { 'X-Idempotency-Key': 'raced-key' },
        ),
      ),
    );
    const accepted = results.filter((r) => r.status === 202);
    const conflicts = results.filter((r) => r.status === 409);
    expect(accepted.length + conflicts.length).toBe(4);
    expect(new Set(accepted.map((r) => r.body.transactionId)).size).toBe(1);
    for (const res of conflicts) expectError(res, 409, 'IDEMPOTENCY_CONFLICT');
    expect((await rowsOf('key-race')).filter((row) => row.type === 'transfer')).toHaveLength(1);
  });
});
