import { erc20Abi, parseEther, getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const balanceOf = (address: `0x${string}`) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
const transfer = (userId: string, body: object, headers: Record<string, string> = {}) => api(t, actor, userId).post('/api/v1/wallet/transfer', body, headers);
const count = async () =>
  Number(
    (
      await t.ctx.db
        .selectFrom('transactions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /api/v1/wallet/transfer', () => {
  it('moves tokens on-chain and ends CONFIRMED', async () => {
    const from = await createWallet(t, actor, 'sender-1');
    await fund(t, actor, 'sender-1', '100');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const res = await transfer('sender-1', { to, amount: '40.25' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ transactionId: expect.stringMatching(/^tx_/), status: 'ACCEPTED' });
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED', type: 'transfer' });
    expect(await balanceOf(to)).toBe(parseEther('40.25'));
    expect(await balanceOf(from)).toBe(parseEther('59.75'));
    expect(await t.ctx.publicClient.getBalance({ address: from })).toBe(0n);
  });

  it('accepts `toAddress` as an alias of `to`', async () => {
    await createWallet(t, actor, 'sender-2');
    await fund(t, actor, 'sender-2', '5');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const res = await transfer('sender-2', { toAddress: to, amount: '1' });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(to)).toBe(parseEther('1'));
  });

  it('refuses more than the balance with 400 INSUFFICIENT_BALANCE and writes nothing', async () => {
    await createWallet(t, actor, 'poor');
    const before = await count();
    expectError(await transfer('poor', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' }), 400, 'INSUFFICIENT_BALANCE');
    expect(await count()).toBe(before);
  });

  it('counts in-flight debits: two concurrent transfers that together exceed the balance, at most one is accepted', async () => {
    await createWallet(t, actor, 'racer');
    await fund(t, actor, 'racer', '10');
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const results = await Promise.all([transfer('racer', { to, amount: '7' }), transfer('racer', { to, amount: '7' })]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 400]);
    expect(results.find((r) => r.status === 400)!.body.code).toBe('INSUFFICIENT_BALANCE');
    const accepted = results.find((r) => r.status === 202)!;
    expect((await waitForTerminal(t, actor, accepted.body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(to)).toBe(parseEther('7'));
  });

  it('answers 400 WALLET_ERROR for a user without a wallet', async () => {
    expectError(await transfer('no-wallet', { to: privateKeyToAccount(generatePrivateKey()).address, amount: '1' }), 400, 'WALLET_ERROR');
  });

  it.each([
    ['a malformed address', { to: '0x1234', amount: '1' }],
    ['the zero address', { to: '0x0000000000000000000000000000000000000000', amount: '1' }],
    ['a zero amount', { to: '0x000000000000000000000000000000000000dEaD', amount: '0' }],
    ['a negative amount', { to: '0x000000000000000000000000000000000000dEaD', amount: '-1' }],
    ['19 decimals', { to: '0x000000000000000000000000000000000000dEaD', amount: '1.0000000000000000001' }],
    ['an exponent', { to: '0x000000000000000000000000000000000000dEaD', amount: '1e3' }],
    ['a numeric amount', { to: '0x000000000000000000000000000000000000dEaD', amount: 5 }],
    ['no amount', { to: '0x000000000000000000000000000000000000dEaD' }],
    ['no destination', { amount: '1' }],
  ])('refuses %s with 400 VALIDATION_ERROR and writes nothing', async (_name, body) => {
    await createWallet(t, actor, 'validator');
    const before = await count();
    expectError(await transfer('validator', body), 400, 'VALIDATION_ERROR');
    expect(await count()).toBe(before);
  });
});

describe('idempotency (X-Idempotency-Key)', () => {
  let to: `0x${string}`;
  beforeAll(async () => {
    await createWallet(t, actor, 'idem');
    await fund(t, actor, 'idem', '50');
    to = getAddress(privateKeyToAccount(generatePrivateKey()).address);
  });

  it('50 concurrent identical requests with one key create exactly one transaction', async () => {
    const before = await count();
    const results = await Promise.all(Array.from({ length: 50 }, () => transfer('idem', { to, amount: '1' }, { 'X-Idempotency-Key': 'pay-123' })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    expect(await count()).toBe(before + 1);
    expect((await waitForTerminal(t, actor, results[0].body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(to)).toBe(parseEther('1'));
  });

  it('replays the original answer later, even once the operation itself could no longer be accepted', async () => {
    const first = await transfer('idem', { to, amount: '2' }, { 'X-Idempotency-Key': 'pay-456' });
    await waitForTerminal(t, actor, first.body.transactionId);
    const again = await transfer('idem', { amount: '2', to }, { 'X-Idempotency-Key': 'pay-456' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('answers the same key with a different request with 409 IDEMPOTENCY_CONFLICT', async () => {
    await transfer('idem', { to, amount: '1' }, { 'X-Idempotency-Key': 'pay-789' });
    expectError(await transfer('idem', { to, amount: '3' }, { 'X-Idempotency-Key': 'pay-789' }), 409, 'IDEMPOTENCY_CONFLICT');
    expectError(await transfer('other-user', { to, amount: '1' }, { 'X-Idempotency-Key': 'pay-789' }), 409, 'IDEMPOTENCY_CONFLICT');
  });

  it('keeps keys per client: another client may use the same key', async () => {
    const other = await createMintingClient(t);
    await createWallet(t, other, 'idem-2');
    const res = await api(t, other, 'idem-2').post('/api/v1/wallet/transfer', { to, amount: '1' }, { 'X-Idempotency-Key': 'pay-123' });
    expectError(res, 400, 'INSUFFICIENT_BALANCE');
  });

  it('refuses a malformed key', async () => {
    expectError(await transfer('idem', { to, amount: '1' }, { 'X-Idempotency-Key': 'a'.repeat(256) }), 400, 'VALIDATION_ERROR');
    expectError(await transfer('idem', { to, amount: '1' }, { 'X-Idempotency-Key': 'has space' }), 400, 'VALIDATION_ERROR');
  });
});
