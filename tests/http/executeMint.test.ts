import { keccak256, parseEther, toBytes } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, requestMint, signMint, waitForTerminal, type Actor } from '../support/operations.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const token = () => ({ address: actor.client.tokenAddress, abi: chronosTokenAbi });

describe('two-step mint: POST /mint/prepare then /mint/execute', () => {
  it('mints to a new user: the first UserOperation deploys the account, sponsored, and the account never holds ETH', async () => {
    const address = await createWallet(t, actor, 'minter-1');
    expect(await t.ctx.publicClient.getCode({ address })).toBeUndefined();
    const res = await requestMint(t, actor, 'minter-1', { receiptId: 'receipt-first', amountWei: parseEther('250') });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ transactionId: expect.stringMatching(/^tx_[0-9a-z]{26}$/), status: 'ACCEPTED' });
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED', type: 'mint', error: null });
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(done.userOpHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(done.blockNumber).toBeGreaterThan(0);
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
    expect(await t.ctx.publicClient.getCode({ address })).toMatch(/^0x[0-9a-f]+$/);
    expect(await t.ctx.publicClient.readContract({ ...token(), functionName: 'balanceOf', args: [address] })).toBe(parseEther('250'));
    expect(await t.ctx.publicClient.readContract({ ...token(), functionName: 'minted', args: ['receipt-first'] })).toBe(true);
    expect(await t.ctx.publicClient.readContract({ ...token(), functionName: 'nonces', args: [address] })).toBe(1n);
    expect(await t.ctx.publicClient.getBalance({ address })).toBe(0n);
  });

  it("runs a user's mints in order: prepare counts the mints still in flight", async () => {
    const address = await createWallet(t, actor, 'minter-2');
    const first = await requestMint(t, actor, 'minter-2', { receiptId: 'order-1', amountWei: 1n });
    const second = await requestMint(t, actor, 'minter-2', { receiptId: 'order-2', amountWei: 2n });
    expect([first.status, second.status]).toEqual([202, 202]);
    const [a, b] = await Promise.all([waitForTerminal(t, actor, first.body.transactionId), waitForTerminal(t, actor, second.body.transactionId)]);
    expect([a.status, b.status]).toEqual(['CONFIRMED', 'CONFIRMED']);
    expect(BigInt(a.blockNumber)).toBeLessThanOrEqual(BigInt(b.blockNumber));
    expect(await t.ctx.publicClient.readContract({ ...token(), functionName: 'balanceOf', args: [address] })).toBe(3n);
  });

  it('answers 409 RECEIPT_ALREADY_MINTED at prepare and execute once a receipt is in flight or minted', async () => {
    const address = await createWallet(t, actor, 'minter-3');
    const res = await requestMint(t, actor, 'minter-3', { receiptId: 'dup-receipt', amountWei: 5n });
    expect(res.status).toBe(202);
    expectError(
      await api(t, actor, 'minter-3').post('/api/v1/mint/prepare', { receiptId: 'dup-receipt', userAddress: address }),
      409,
      'RECEIPT_ALREADY_MINTED',
    );
    await waitForTerminal(t, actor, res.body.transactionId);
    expectError(
      await api(t, actor, 'minter-3').post('/api/v1/mint/prepare', { receiptId: 'dup-receipt', userAddress: address }),
      409,
      'RECEIPT_ALREADY_MINTED',
    );
    const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const signature = await signMint(t, actor, { to: address, receiptId: 'dup-receipt', amount: 5n, expiryBlock: block + 50n, nonce: 1n });
    expectError(
      await api(t, actor, 'minter-3').post('/api/v1/mint/execute', {
        receiptId: 'dup-receipt',
        amount: '5',
        signature,
        expiryBlock: String(block + 50n),
        nonce: '1',
      }),
      409,
      'RECEIPT_ALREADY_MINTED',
    );
  });
});

describe('POST /mint/prepare', () => {
  it('returns the token, chain, an expiry block ahead and the current nonce', async () => {
    const address = await createWallet(t, actor, 'prep-1');
    const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const res = await api(t, actor, 'prep-1').post('/api/v1/mint/prepare', { receiptId: 'p-1', userAddress: address.toLowerCase() });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ contractAddress: actor.client.tokenAddress, chainId: t.config.chain.chainId, expiryBlock: expect.any(String), nonce: '0' });
    expect(BigInt(res.body.expiryBlock)).toBeGreaterThanOrEqual(block + BigInt(t.config.transactions.mintExpiryBlocks));
  });

  it('refuses another address with 400 ADDRESS_MISMATCH and a user without wallet with 400 WALLET_ERROR', async () => {
    await createWallet(t, actor, 'prep-2');
    const other = await createWallet(t, actor, 'prep-3');
    expectError(await api(t, actor, 'prep-2').post('/api/v1/mint/prepare', { receiptId: 'p-2', userAddress: other }), 400, 'ADDRESS_MISMATCH');
    expectError(await api(t, actor, 'nobody').post('/api/v1/mint/prepare', { receiptId: 'p-2', userAddress: other }), 400, 'WALLET_ERROR');
  });

  it.each([
    ['a receipt id with spaces', { receiptId: 'has space', userAddress: '0x0000000000000000000000000000000000000001' }],
    ['an empty receipt id', { receiptId: '', userAddress: '0x0000000000000000000000000000000000000001' }],
    ['a receipt id of 257 characters', { receiptId: 'r'.repeat(257), userAddress: '0x0000000000000000000000000000000000000001' }],
    ['a malformed address', { receiptId: 'ok', userAddress: '0x1234' }],
    ['a missing address', { receiptId: 'ok' }],
    ['a numeric receipt id', { receiptId: 12, userAddress: '0x0000000000000000000000000000000000000001' }],
  ])('refuses %s with 400 VALIDATION_ERROR', async (_name, body) => {
    await createWallet(t, actor, 'prep-4');
    expectError(await api(t, actor, 'prep-4').post('/api/v1/mint/prepare', body), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /mint/execute pre-checks (nothing is accepted)', () => {
  const count = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('transactions')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  async function signed(userId: string, overrides: Partial<{ receiptId: string; amount: bigint; expiryBlock: bigint; nonce: bigint }> = {}, signer = actor) {
    const to = await createWallet(t, actor, userId);
    const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const p = { to, receiptId: `chk-${userId}`, amount: 10n, expiryBlock: block + 100n, nonce: 0n, ...overrides };
    return { p, signature: await signMint(t, signer, p) };
  }
  const body = (p: { receiptId: string; amount: bigint; expiryBlock: bigint; nonce: bigint }, signature: string) => ({
    receiptId: p.receiptId,
    amount: p.amount.toString(),
    signature,
    expiryBlock: p.expiryBlock.toString(),
    nonce: p.nonce.toString(),
  });

  it('accepts numbers for amount, expiryBlock and nonce', async () => {
    const { p, signature } = await signed('chk-num');
    const res = await api(t, actor, 'chk-num').post('/api/v1/mint/execute', {
      receiptId: p.receiptId,
      amount: 10,
      signature,
      expiryBlock: Number(p.expiryBlock),
      nonce: 0,
    });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
  });

  it('refuses a signature by another key with 400 INVALID_SIGNATURE', async () => {
    const stranger = await createMintingClient(t);
    const { p, signature } = await signed('chk-sig', {}, stranger);
    const before = await count();
    expectError(await api(t, actor, 'chk-sig').post('/api/v1/mint/execute', body(p, signature)), 400, 'INVALID_SIGNATURE');
    expect(await count()).toBe(before);
  });

  it('refuses a signature over other values (amount changed after signing)', async () => {
    const { p, signature } = await signed('chk-amt');
    expectError(await api(t, actor, 'chk-amt').post('/api/v1/mint/execute', body({ ...p, amount: 11n }, signature)), 400, 'INVALID_SIGNATURE');
  });

  it('refuses a client without a registered signer', async () => {
    const bare = await t.createClient();
    const bareActor = { client: bare, token: await t.tokenFor(bare), signer: actor.signer };
    await createWallet(t, bareActor, 'chk-bare');
    const { p, signature } = await signed('chk-bare-x');
    expectError(await api(t, bareActor, 'chk-bare').post('/api/v1/mint/execute', body(p, signature)), 400, 'INVALID_SIGNATURE');
  });

  it('refuses a nonce that is not current with 400 INVALID_NONCE', async () => {
    const { p, signature } = await signed('chk-nonce', { nonce: 3n });
    expectError(await api(t, actor, 'chk-nonce').post('/api/v1/mint/execute', body(p, signature)), 400, 'INVALID_NONCE');
  });

  it('refuses an expiry block in the past with 400 MINT_EXPIRED', async () => {
    const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const { p, signature } = await signed('chk-exp', { expiryBlock: block - 1n });
    expectError(await api(t, actor, 'chk-exp').post('/api/v1/mint/execute', body(p, signature)), 400, 'MINT_EXPIRED');
  });

  it.each([
    ['a zero amount', { amount: '0' }],
    ['a negative amount', { amount: '-5' }],
    ['a decimal wei amount', { amount: '1.5' }],
    ['a short signature', { signature: '0x1234' }],
    ['a non-hex signature', { signature: `0x${'zz'.repeat(65)}` }],
    ['an unsafe numeric amount', { amount: 1e21 }],
    ['a boolean nonce', { nonce: true }],
  ])('refuses %s with 400 VALIDATION_ERROR', async (_name, change) => {
    const { p, signature } = await signed('chk-bad');
    const before = await count();
    expectError(await api(t, actor, 'chk-bad').post('/api/v1/mint/execute', { ...body(p, signature), ...change }), 400, 'VALIDATION_ERROR');
    expect(await count()).toBe(before);
  });

  it('refuses a token without the mint scope', async () => {
    const limited = await t.createClient({ scopes: ['wallet'] });
    const res = await api(t, { ...actor, token: await t.tokenFor(limited) }, 'x').post('/api/v1/mint/prepare', {
      receiptId: 'a',
      userAddress: '0x0000000000000000000000000000000000000001',
    });
    expectError(res, 403, 'FORBIDDEN');
  });

  it('when 24 identical requests with one idempotency key arrive at once, all answer the same 202 and one transaction is written', async () => {
    const to = await createWallet(t, actor, 'mint-twins');
    const prep = await api(t, actor, 'mint-twins').post('/api/v1/mint/prepare', { receiptId: 'http-twin-receipt', userAddress: to });
    const p = { to, receiptId: 'http-twin-receipt', amount: 3n, expiryBlock: BigInt(prep.body.expiryBlock), nonce: BigInt(prep.body.nonce) };
    const body = { receiptId: p.receiptId, amount: '3', signature: await signMint(t, actor, p), expiryBlock: String(p.expiryBlock), nonce: String(p.nonce) };
    const results = await Promise.all(
      Array.from({ length: 24 }, () => api(t, actor, 'mint-twins').post('/api/v1/mint/execute', body, { 'X-Idempotency-Key': 'mint-twin-key' })),
    );
    expect(results.map((r) => [r.status, r.body.code])).toEqual(results.map(() => [202, undefined]));
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    const rows = await t.ctx.db
      .selectFrom('transactions')
      .select('id')
      .where('client_id', '=', actor.client.clientId)
      .where('user_id', '=', 'mint-twins')
      .execute();
    expect(rows.map((row) => row.id)).toEqual([results[0].body.transactionId]);
    expect((await waitForTerminal(t, actor, results[0].body.transactionId)).status).toBe('CONFIRMED');
  });

  it('stores the receipt hash the contract uses', async () => {
    const res = await requestMint(t, actor, 'chk-hash', { receiptId: 'hash-me', amountWei: 1n });
    const row = await t.ctx.db.selectFrom('transactions').selectAll().where('id', '=', res.body.transactionId).executeTakeFirstOrThrow();
    expect(row.receipt_hash).toBe(keccak256(toBytes('hash-me')));
    await waitForTerminal(t, actor, res.body.transactionId);
  });
});
