import { erc20Abi, keccak256, parseEther, toBytes } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { claimVaultAbi } from '../../src/chain/contracts/abi.js';

let t: TestApp;
let actor: Actor;
let wallet: `0x${string}`;

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
  wallet = await createWallet(t, actor, 'claimer');
  await fund(t, actor, 'claimer', '100');
});
afterAll(() => t.close());

const claim = (body: object, userId = 'claimer') => api(t, actor, userId).post('/api/v1/claims/execute', body);
const vault = () => ({ address: t.config.contracts.claimVault, abi: claimVaultAbi });
const balanceOf = (address: `0x${string}`) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });

describe('POST /api/v1/claims/execute', () => {
  it('locks the tokens in the ClaimVault with approve + claim in one UserOperation', async () => {
    const vaultBefore = await balanceOf(t.config.contracts.claimVault);
    const res = await claim({ claimId: 'order-1001', amount: '12.5' });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED', type: 'claim' });
    const id = keccak256(toBytes('order-1001'));
    expect(await t.ctx.publicClient.readContract({ ...vault(), functionName: 'used', args: [wallet, id] })).toBe(true);
    expect(await t.ctx.publicClient.readContract({ ...vault(), functionName: 'claims', args: [wallet, id] })).toEqual([
      actor.client.tokenAddress,
      parseEther('12.5'),
    ]);
    expect(await balanceOf(wallet)).toBe(parseEther('87.5'));
    expect(await balanceOf(t.config.contracts.claimVault)).toBe(vaultBefore + parseEther('12.5'));
    // Exactly the claimed amount was approved, and the vault used all of it.
    expect(
      await t.ctx.publicClient.readContract({
        address: actor.client.tokenAddress,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [wallet, t.config.contracts.claimVault],
      }),
    ).toBe(0n);
  });

  it('accepts a matching claimIdBytes32 and a numeric amount', async () => {
    const res = await claim({ claimId: 'order-1002', claimIdBytes32: keccak256(toBytes('order-1002')), amount: 2 });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
  });

  it('refuses a claimIdBytes32 that is not keccak256(claimId) with 400 CLAIM_ID_MISMATCH', async () => {
    expectError(await claim({ claimId: 'order-1003', claimIdBytes32: keccak256(toBytes('other')), amount: '1' }), 400, 'CLAIM_ID_MISMATCH');
  });

  it('refuses a claim id used before with 409 CLAIM_ALREADY_USED, in flight or on-chain', async () => {
    const first = await claim({ claimId: 'order-1004', amount: '1' });
    expect(first.status).toBe(202);
    expectError(await claim({ claimId: 'order-1004', amount: '1' }), 409, 'CLAIM_ALREADY_USED');
    await waitForTerminal(t, actor, first.body.transactionId);
    expectError(await claim({ claimId: 'order-1004', amount: '1' }), 409, 'CLAIM_ALREADY_USED');
  });

  it('when 24 identical claims with one idempotency key arrive at once, all answer the same 202 and one transaction is written', async () => {
    const before = await t.ctx.db.selectFrom('transactions').select('id').where('type', '=', 'claim').execute();
    const results = await Promise.all(
      Array.from({ length: 24 }, () =>
        api(t, actor, 'claimer').post('/api/v1/claims/execute', { claimId: 'http-twin-claim', amount: '1' }, { 'X-Idempotency-Key': 'claim-twin-key' }),
      ),
    );
    expect(results.map((r) => [r.status, r.body.code])).toEqual(results.map(() => [202, undefined]));
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    const after = await t.ctx.db.selectFrom('transactions').select('id').where('type', '=', 'claim').execute();
    expect(after.map((row) => row.id).filter((id) => !before.some((b) => b.id === id))).toEqual([results[0].body.transactionId]);
    expect((await waitForTerminal(t, actor, results[0].body.transactionId)).status).toBe('CONFIRMED');
  });

  it('refuses more than the available balance with 400 INSUFFICIENT_BALANCE', async () => {
    expectError(await claim({ claimId: 'order-1005', amount: '1000' }), 400, 'INSUFFICIENT_BALANCE');
  });

  it.each([
    ['a claim id with a slash', { claimId: 'a/b', amount: '1' }],
    ['a malformed claimIdBytes32', { claimId: 'ok-id', claimIdBytes32: '0x1234', amount: '1' }],
    ['a zero amount', { claimId: 'ok-id', amount: '0' }],
    ['no claim id', { amount: '1' }],
  ])('refuses %s with 400 VALIDATION_ERROR', async (_name, body) => {
    expectError(await claim(body), 400, 'VALIDATION_ERROR');
  });

  it('answers 400 WALLET_ERROR for a user without a wallet', async () => {
    expectError(await claim({ claimId: 'order-2000', amount: '1' }, 'nobody'), 400, 'WALLET_ERROR');
  });
});
