// How the worker ends a transaction when the bundler or paymaster refuses it, when it reverts
// on-chain, and when it is never included: FAILED, REVERTED, EXPIRED, each for real on the local chain.
import { createWalletClient, encodeFunctionData, erc20Abi, http, keccak256, parseAbi, parseEther, toBytes, toHex, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, hostedSponsorship, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, signMint, waitForTerminal, type Actor } from '../support/operations.js';
import { chronosTokenAbi, claimVaultAbi } from '../../src/chain/contracts/abi.js';
import { toChain } from '../../src/chain/clients.js';
import { deriveOwnerPrivateKey } from '../../src/accounts/derive-owner.js';
import { fundDirectly } from '../support/direct-funding.js';
import { isNonceUsed } from '../../src/userop/nonce.js';
import { findTransaction } from '../../src/db/transactions.js';

let bundler: RpcProxy;
let paymaster: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  const stack = testStackEnv();
  bundler = await startRpcProxy(stack.bundlerUrl);
  paymaster = await startRpcProxy(stack.paymasterUrl);
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url, ...hostedSponsorship(paymaster.url), INCLUSION_TIMEOUT_SECONDS: '3' } });
  actor = await createMintingClient(t);
});
afterEach(() => {
  bundler.intercept = undefined;
  paymaster.intercept = undefined;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
  await paymaster.close();
});

const balanceOf = (address: Address) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
const statuses = (done: Record<string, any>) => (done.history as { status: string }[]).map((h) => h.status);
const randomAddress = () => privateKeyToAccount(generatePrivateKey()).address;

describe('when the paymaster refuses sponsorship', () => {
  it('the transaction ends FAILED with PAYMASTER_REJECTED and nothing happens on-chain', async () => {
    const wallet = await createWallet(t, actor, 'pm-refused');
    await fund(t, actor, 'pm-refused', '10');
    paymaster.intercept = (call) => (call.method.startsWith('pm_') ? { error: { code: -32001, message: 'sponsorship denied by policy' } } : undefined);
    const to = randomAddress();
    const res = await api(t, actor, 'pm-refused').post('/api/v1/wallet/transfer', { to, amount: '1' });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({
      status: 'FAILED',
      userOpHash: null,
      txHash: null,
      error: { code: 'PAYMASTER_REJECTED', message: expect.stringContaining('sponsorship denied') },
    });
    expect(statuses(done)).toEqual(['ACCEPTED', 'SUBMITTING', 'FAILED']);
    expect(await balanceOf(to)).toBe(0n);
    expect(await balanceOf(wallet)).toBe(parseEther('10'));
  });
});

describe('when the bundler rejects the operation', () => {
  it('the transaction ends FAILED with BUNDLER_REJECTED after retries, and nothing happens on-chain', async () => {
    await createWallet(t, actor, 'bundler-refused');
    await fund(t, actor, 'bundler-refused', '10');
    let attempts = 0;
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation') return undefined;
      attempts++;
      return { error: { code: -32602, message: 'operation refused by bundler policy' } };
    };
    const to = randomAddress();
    const res = await api(t, actor, 'bundler-refused').post('/api/v1/wallet/transfer', { to, amount: '1' });
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'FAILED', error: { code: 'BUNDLER_REJECTED' } });
    expect(done.userOpHash).toMatch(/^0x/);
    expect(attempts).toBe(3);
    expect(await balanceOf(to)).toBe(0n);
  });
});

describe('when the operation passes simulation but reverts on-chain', () => {
  it('the transaction ends REVERTED with the receipt recorded and the tokens untouched', async () => {
    const wallet = await createWallet(t, actor, 'reverter');
    await fund(t, actor, 'reverter', '10');
    const claimId = 'front-run-claim';
    // Just before the bundler sees the operation, the claim id gets used on-chain.
    bundler.intercept = async (call) => {
      if (call.method !== 'eth_sendUserOperation') return undefined;
      bundler.intercept = undefined;
      await claimDirectly(claimId, { wallet, userId: 'reverter' });
      return undefined;
    };
    const res = await api(t, actor, 'reverter').post('/api/v1/claims/execute', { claimId, amount: '3' });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'REVERTED', error: { code: 'EXECUTION_REVERTED', message: expect.stringContaining('ClaimAlreadyUsed(') } });
    expect(done.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(done.blockNumber).toBeGreaterThan(0);
    expect(statuses(done)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'REVERTED']);
    expect(await balanceOf(wallet)).toBe(parseEther('10'));
    expect(await t.ctx.publicClient.getBalance({ address: wallet })).toBe(0n);
  });
});

describe('when the operation is never included', () => {
  it('after the deadline a no-op replacement consumes its nonce and the transaction ends EXPIRED', async () => {
    const wallet = await createWallet(t, actor, 'black-hole');
    await fund(t, actor, 'black-hole', '10');
    // The bundler "accepts" the real operation and drops it; only the no-op replacement gets through.
    bundler.intercept = (call) => {
      if (call.method !== 'eth_sendUserOperation') return undefined;
      const op = (call.params as [{ callData: string }])[0];
      return op.callData === '0x' ? undefined : { result: `0x${'00'.repeat(32)}` };
    };
    const to = randomAddress();
    const res = await api(t, actor, 'black-hole').post('/api/v1/wallet/transfer', { to, amount: '4' });
    const done = await waitForTerminal(t, actor, res.body.transactionId, 60_000);
    expect(done).toMatchObject({ status: 'EXPIRED', error: { code: 'INCLUSION_TIMEOUT' } });
    expect(statuses(done)).toEqual(['ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'EXPIRED']);
    expect(await balanceOf(to)).toBe(0n);
    expect(await balanceOf(wallet)).toBe(parseEther('10'));
    const row = await t.ctx.db.selectFrom('transactions').selectAll().where('id', '=', res.body.transactionId).executeTakeFirstOrThrow();
    expect(row.replacement_user_op_hash).toMatch(/^0x/);
    // The original can never execute now: its nonce is spent.
    expect(await isNonceUsed(t.ctx.publicClient, { entryPoint: t.config.contracts.entryPoint, sender: wallet, nonce: BigInt(row.user_op!.nonce) })).toBe(true);
    // The funds are spendable again.
    bundler.intercept = undefined;
    const again = await api(t, actor, 'black-hole').post('/api/v1/wallet/transfer', { to, amount: '4' });
    expect((await waitForTerminal(t, actor, again.body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(to)).toBe(parseEther('4'));
  });

  it('a mint whose expiryBlock passes before the bundler takes it ends EXPIRED without being sent', async () => {
    const to = await createWallet(t, actor, 'late-minter');
    // The paymaster is unavailable (not refusing: "try again later") while blocks pass.
    paymaster.intercept = (call) => (call.method.startsWith('pm_') ? { error: { code: -32603, message: 'temporarily unavailable' } } : undefined);
    const block = await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    const expiryBlock = block + 3n;
    const signature = await signMint(t, actor, { to, receiptId: 'late-1', amount: 1n, expiryBlock, nonce: 0n });
    const res = await api(t, actor, 'late-minter').post('/api/v1/mint/execute', {
      receiptId: 'late-1',
      amount: '1',
      signature,
      expiryBlock: String(expiryBlock),
      nonce: '0',
    });
    expect(res.status).toBe(202);
    // Picked up and retrying the paymaster before the blocks pass; otherwise the pick-up itself finds
    // the mint expired and it never reaches SUBMITTING (also right, but not what this test is about).
    for (const deadline = Date.now() + 30_000; (await findTransaction(t.ctx.db, res.body.transactionId))?.status !== 'SUBMITTING'; ) {
      if (Date.now() > deadline) throw new Error('the worker did not pick the mint up within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 0; i < 5; i++) await t.ctx.publicClient.request({ method: 'evm_mine' as never, params: [] as never });
    paymaster.intercept = undefined;
    const done = await waitForTerminal(t, actor, res.body.transactionId, 60_000);
    expect(done).toMatchObject({ status: 'EXPIRED', userOpHash: null, error: { code: 'MINT_EXPIRED' } });
    expect(statuses(done)).toEqual(['ACCEPTED', 'SUBMITTING', 'EXPIRED']);
    expect(await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: chronosTokenAbi, functionName: 'minted', args: ['late-1'] })).toBe(
      false,
    );
    // The receipt is free again: a fresh authorization mints it.
    const prep = await api(t, actor, 'late-minter').post('/api/v1/mint/prepare', { receiptId: 'late-1', userAddress: to });
    expect(prep.status).toBe(200);
  });
});

/**
 * Uses `claimId` in the ClaimVault from the user's own wallet, outside Chronos: its owner key (derived
 * from MASTER_KEY) calls the account directly. Claim ids are the claimer's own, so only the wallet
 * itself can make its claim revert. The wallet first gets the 1 wei it locks, so its balance is as before.
 */
async function claimDirectly(claimId: string, { wallet, userId }: { wallet: Address; userId: string }): Promise<void> {
  const token = actor.client.tokenAddress;
  const vault = t.config.contracts.claimVault;
  await fundDirectly(t, actor, { to: wallet, amountWei: 1n });
  const ownerAccount = privateKeyToAccount(deriveOwnerPrivateKey(t.config.masterKey, { clientId: actor.client.clientId, userId }));
  await t.ctx.publicClient.request({ method: 'anvil_setBalance' as never, params: [ownerAccount.address, toHex(parseEther('1'))] as never });
  const owner = createWalletClient({ account: ownerAccount, chain: toChain(t.config.chain), transport: http(t.config.chain.rpcUrl) });
  const hash = await owner.writeContract({
    address: wallet,
    abi: simpleAccountAbi,
    functionName: 'executeBatch',
    args: [
      [token, vault],
      [0n, 0n],
      [
        encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [vault, 1n] }),
        encodeFunctionData({ abi: claimVaultAbi, functionName: 'claim', args: [token, keccak256(toBytes(claimId)), 1n] }),
      ],
    ],
  });
  const receipt = await t.ctx.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  if (receipt.status !== 'success') throw new Error(`the wallet's own claim of ${claimId} reverted`);
}

const simpleAccountAbi = parseAbi(['function executeBatch(address[] dest, uint256[] value, bytes[] func)']);
