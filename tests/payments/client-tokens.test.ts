// A client's several tokens against the real stack (README, Payments: the client's tokens): `chronos
// tokens add` lets its transfers, withdrawals and escrows move another 18-decimal ERC-20 by naming it,
// balances and in-flight debits are kept per token, `chronos tokens set-limits` bounds one operation's
// amount, and mints stay on the client's own token.
import { erc20Abi, getAddress, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { runChronosCli } from '../support/cli.js';
import { api, createMintingClient, createWallet, fund, signMint, waitForTerminal, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';

let t: TestApp;
let actor: Actor;
/** Its ChronosToken is the other token `actor` is given: an ERC-20 Chronos does not mint for `actor`. */
let issuer: Actor;
let other: Address;

beforeAll(async () => {
  // No client cache: what the CLI changes is in effect for the next request.
  t = await createTestApp({ worker: true, clientCacheTtlMs: 0 });
  actor = await createMintingClient(t);
  issuer = await createMintingClient(t);
  other = getAddress(issuer.client.tokenAddress);
});
afterAll(() => t.close());

const chronos = (...args: string[]) => runChronosCli(args, t.env);
const balanceIn = (token: Address, of: Address) => t.ctx.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [of] });
const newAddress = () => getAddress(privateKeyToAccount(generatePrivateKey()).address);

/** A user of `actor` holding `own` of its own token and `theirs` of the other. */
async function holder(userId: string, own: string, theirs: string): Promise<Address> {
  const wallet = await createWallet(t, actor, userId);
  if (own !== '0') await fund(t, actor, userId, own);
  await fundDirectly(t, issuer, { to: wallet, amountWei: parseEther(theirs) });
  return wallet;
}

describe('chronos tokens', () => {
  it('adds a token once, lists the own one first, and refuses what is not an 18-decimal ERC-20', async () => {
    const added = await chronos('tokens', 'add', actor.client.clientId, other, '--json');
    expect(added.code).toBe(0);
    expect(added.json.tokens).toEqual([
      expect.objectContaining({ address: getAddress(actor.client.tokenAddress), own: true, minAmount: null, maxAmount: null }),
      expect.objectContaining({ address: other, own: false, symbol: expect.any(String), minAmount: null, maxAmount: null }),
    ]);
    expect((await chronos('tokens', 'add', actor.client.clientId, other, '--json')).json.tokens).toHaveLength(2);
    const nowhere = await chronos('tokens', 'add', actor.client.clientId, newAddress(), '--json');
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.json.error).toMatch(/has no contract/);
    expect((await chronos('tokens', 'add', 'client_nobody', other, '--json')).json.error).toMatch(/no client with id/);
    const listed = await chronos('tokens', 'list', actor.client.clientId);
    expect(listed.stdout).toContain(other);
    expect(listed.stdout).toContain('(own, the default)');
  });
});

describe('the API', () => {
  it('lists both tokens, the own one as the default', async () => {
    const res = await api(t, actor).get('/api/v1/payments/tokens');
    expect(res.status).toBe(200);
    expect(res.body.tokens.map((x: { address: string; default: boolean }) => [x.address, x.default])).toEqual([
      [getAddress(actor.client.tokenAddress), true],
      [other, false],
    ]);
  });

  it('moves the named token, keeps balances and in-flight debits per token, and shows both balances', async () => {
    const wallet = await holder('both', '10', '10');
    const to = newAddress();
    // All of the other token, then all of the own one at once: each is checked against its own token only.
    const [theirs, own] = await Promise.all([
      api(t, actor, 'both').post('/api/v1/wallet/transfer', { to, amount: '10', token: other }),
      api(t, actor, 'both').post('/api/v1/wallet/transfer', { to, amount: '10' }),
    ]);
    expect([theirs.status, own.status]).toEqual([202, 202]);
    expectError(await api(t, actor, 'both').post('/api/v1/wallet/transfer', { to, amount: '1', token: other }), 400, 'INSUFFICIENT_BALANCE');
    for (const res of [theirs, own]) expect(await waitForTerminal(t, actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceIn(other, to)).toBe(parseEther('10'));
    expect(await balanceIn(actor.client.tokenAddress, to)).toBe(parseEther('10'));
    expect(await balanceIn(other, wallet)).toBe(0n);

    await fundDirectly(t, issuer, { to: wallet, amountWei: parseEther('4') });
    const balances = await api(t, actor, 'both').get('/api/v1/wallet/balances');
    expect(balances.body.balances).toEqual([
      expect.objectContaining({ token: getAddress(actor.client.tokenAddress), balance: '0', available: '0' }),
      expect.objectContaining({ token: other, balance: '4', pending: '0', available: '4' }),
    ]);
  });

  it('funds and releases an escrow in the named token', async () => {
    await holder('payer', '0', '8');
    const payee = await createWallet(t, actor, 'payee');
    const intent = await api(t, actor, 'payer').post('/api/v1/payments/intents', {
      amount: '8',
      token: other,
      payeeUserId: 'payee',
      metadata: { durationSeconds: 600 },
    });
    expect(intent.status).toBe(202);
    expect(await waitForTerminal(t, actor, intent.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect((await api(t, actor).get(`/api/v1/payments/intents/${intent.body.intentId}`)).body).toMatchObject({ token: other, status: 'funded' });
    const release = await api(t, actor, 'payer').post(`/api/v1/payments/escrows/${intent.body.escrowId}/release`, {});
    expect(await waitForTerminal(t, actor, release.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceIn(other, payee)).toBe(parseEther('8'));
    expectError(
      await api(t, actor, 'payer').post(`/api/v1/payments/escrows/${intent.body.escrowId}/refund`, { token: actor.client.tokenAddress }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('refuses a token the client was not given, and another than its own for a mint', async () => {
    const wallet = await holder('picky', '1', '1');
    const stranger = await createMintingClient(t);
    expectError(
      await api(t, actor, 'picky').post('/api/v1/wallet/transfer', { to: newAddress(), amount: '1', token: stranger.client.tokenAddress }),
      400,
      'VALIDATION_ERROR',
    );
    expectError(await api(t, actor, 'picky').post('/api/v1/wallet/transfer', { to: newAddress(), amount: '1', token: 'not-a-token' }), 400, 'VALIDATION_ERROR');
    const expiryBlock = (await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 })) + 50n;
    const signature = await signMint(t, actor, { to: wallet, receiptId: 'other-token-mint', amount: 1n, expiryBlock, nonce: 0n });
    const mint = await api(t, actor, 'picky').post('/api/v1/mint/execute', {
      receiptId: 'other-token-mint',
      amount: '1',
      signature,
      expiryBlock: String(expiryBlock),
      nonce: '0',
      token: other,
    });
    expectError(mint, 400, 'VALIDATION_ERROR');
    expect(mint.body.error).toMatch(/own token/);
  });

  it("refuses an amount outside a token's limits with AMOUNT_OUT_OF_RANGE, the own token's too, until they are lifted", async () => {
    await holder('bounded', '10', '10');
    const to = newAddress();
    const set = await chronos('tokens', 'set-limits', actor.client.clientId, other, '1/5', '--json');
    expect(set.code).toBe(0);
    expect(set.json.tokens[1]).toMatchObject({ address: other, minAmount: '1', maxAmount: '5' });
    const transfer = (amount: string, token?: Address) => api(t, actor, 'bounded').post('/api/v1/wallet/transfer', { to, amount, ...(token && { token }) });
    expectError(await transfer('6', other), 400, 'AMOUNT_OUT_OF_RANGE');
    expectError(await transfer('0.5', other), 400, 'AMOUNT_OUT_OF_RANGE');
    expect((await transfer('5', other)).status).toBe(202);
    expect((await transfer('6')).status).toBe(202);

    const ownLimited = await chronos('tokens', 'set-limits', actor.client.clientId, actor.client.tokenAddress, 'none/2', '--json');
    expect(ownLimited.json.tokens[0]).toMatchObject({
      own: true,
      minAmount: null,
      maxAmount: '2',
    });
    expectError(await transfer('3'), 400, 'AMOUNT_OUT_OF_RANGE');
    expectError(await api(t, actor, 'bounded').post('/api/v1/payments/withdrawals', { to, amount: '3' }), 400, 'AMOUNT_OUT_OF_RANGE');
    await chronos('tokens', 'set-limits', actor.client.clientId, actor.client.tokenAddress, '-');
    expect((await transfer('3')).status).toBe(202);
    const refused = await chronos('tokens', 'set-limits', actor.client.clientId, other, '5/1', '--json');
    expect(refused.json.error).toMatch(/above the maximum/);
    await chronos('tokens', 'set-limits', actor.client.clientId, other, '-');
  });
});
