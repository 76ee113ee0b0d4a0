// Tenancy on-chain (README "Input and security"): every client mints its own ChronosToken, so one
// client's signer cannot mint another's token, and one client's receipt ids and its users' claim ids
// never block another client's. Real contracts on the local chain, through the real worker.
import { keccak256, parseEther, toBytes, type Address } from 'viem';
import { type BaseError, ContractFunctionRevertedError } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, requestMint, signMint, waitForTerminal, type Actor } from '../support/operations.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { withTestDeployer } from '../support/client-tokens.js';
import { chronosTokenAbi, claimVaultAbi } from '../../src/chain/contracts/abi.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';
import { countWrites, NO_WRITES, difference } from './support/write-counts.js';

let t: TestApp;
let a: Actor;
let b: Actor;
/** Between Chronos and the bundler, so a test can act just before an operation reaches it. */
let bundler: RpcProxy;

beforeAll(async () => {
  bundler = await startRpcProxy(testStackEnv().bundlerUrl);
  t = await createTestApp({ worker: true, env: { BUNDLER_URL: bundler.url } });
  a = await createMintingClient(t, { name: 'client A' });
  b = await createMintingClient(t, { name: 'client B' });
});
afterEach(() => {
  bundler.intercept = undefined;
});
afterAll(async () => {
  await t.close();
  await bundler.close();
});

const prepare = (actor: Actor, userId: string, receiptId: string, userAddress: Address) =>
  api(t, actor, userId).post('/api/v1/mint/prepare', { receiptId, userAddress });

/** The custom error a call reverted with (fails the test if it did not revert). */
async function revertName(action: Promise<unknown>): Promise<string | undefined> {
  const error = await action.then(
    () => {
      throw new Error('expected a revert, but the call succeeded');
    },
    (caught: unknown) => caught,
  );
  const reverted = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
  return reverted?.data?.errorName;
}

describe('when two clients use Chronos on the same deployment', () => {
  it('each gets its own token from /mint/prepare, with only its own signer authorized on it', async () => {
    const aliceOfA = await createWallet(t, a, 'alice');
    const aliceOfB = await createWallet(t, b, 'alice');
    const [prepA, prepB] = [await prepare(a, 'alice', 'whose-token', aliceOfA), await prepare(b, 'alice', 'whose-token', aliceOfB)];
    expect(prepA.body.contractAddress).toBe(a.client.tokenAddress);
    expect(prepB.body.contractAddress).toBe(b.client.tokenAddress);
    expect(a.client.tokenAddress).not.toBe(b.client.tokenAddress);
    const signers = (token: Address, signer: Address) =>
      t.ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [signer] });
    expect(await signers(b.client.tokenAddress, a.signer.address)).toBe(false);
    expect(await signers(a.client.tokenAddress, b.signer.address)).toBe(false);
  });

  it("client A's signer cannot mint client B's token: the chain reverts UnauthorizedSigner", async () => {
    const token = b.client.tokenAddress;
    await withTestDeployer(async (minter) => {
      const to = minter.account.address;
      const nonce = await t.ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [to] });
      const expiryBlock = (await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 })) + 50n;
      const signature = await a.signer.signMessage({
        message: {
          raw: mintMessageHash({ token, chainId: t.config.chain.chainId, to, receiptId: 'a-mints-b', amount: parseEther('1000'), expiryBlock, nonce }),
        },
      });
      const simulated = t.ctx.publicClient.simulateContract({
        account: minter.account,
        address: token,
        abi: chronosTokenAbi,
        functionName: 'mintWithSignature',
        args: [to, 'a-mints-b', parseEther('1000'), expiryBlock, nonce, signature],
      });
      expect(await revertName(simulated)).toBe('UnauthorizedSigner');
    });
  });

  it("client A's signature over client B's token is refused by the API with 400 INVALID_SIGNATURE, writing nothing", async () => {
    const to = await createWallet(t, a, 'cross-signer');
    const prep = await prepare(a, 'cross-signer', 'cross-token-1', to);
    const expiryBlock = BigInt(prep.body.expiryBlock);
    const nonce = BigInt(prep.body.nonce);
    const signature = await a.signer.signMessage({
      message: {
        raw: mintMessageHash({ token: b.client.tokenAddress, chainId: t.config.chain.chainId, to, receiptId: 'cross-token-1', amount: 5n, expiryBlock, nonce }),
      },
    });
    const before = await countWrites(t.ctx.db);
    const res = await api(t, a, 'cross-signer').post('/api/v1/mint/execute', {
      receiptId: 'cross-token-1',
      amount: '5',
      signature,
      expiryBlock: expiryBlock.toString(),
      nonce: nonce.toString(),
    });
    expectError(res, 400, 'INVALID_SIGNATURE');
    expect(difference(await countWrites(t.ctx.db), before)).toEqual(NO_WRITES);
  });

  it('a mint signature seen before it lands cannot be front-run: the chain refuses anyone but the recipient, and the mint is CONFIRMED', async () => {
    const to = await createWallet(t, a, 'front-run');
    const prep = await prepare(a, 'front-run', 'front-run-1', to);
    const mint = { to, receiptId: 'front-run-1', amount: 11n, expiryBlock: BigInt(prep.body.expiryBlock), nonce: BigInt(prep.body.nonce) };
    const signature = await signMint(t, a, mint);
    let frontRunner: 'reverted' | 'minted' | undefined;
    // Just before the bundler sees the operation, someone who saw the signature submits it themselves.
    bundler.intercept = async (call) => {
      if (call.method !== 'eth_sendUserOperation') return undefined;
      bundler.intercept = undefined;
      await withTestDeployer(async (thief) => {
        const args = [mint.to, mint.receiptId, mint.amount, mint.expiryBlock, mint.nonce, signature] as const;
        const attempt = t.ctx.publicClient.simulateContract({
          account: thief.account,
          address: a.client.tokenAddress,
          abi: chronosTokenAbi,
          functionName: 'mintWithSignature',
          args,
        });
        if (
          await attempt.then(
            () => false,
            () => true,
          )
        ) {
          expect(await revertName(attempt)).toBe('MintCallerNotRecipient');
          frontRunner = 'reverted';
          return;
        }
        const hash = await thief.writeContract({ address: a.client.tokenAddress, abi: chronosTokenAbi, functionName: 'mintWithSignature', args });
        await t.ctx.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
        frontRunner = 'minted';
      });
      return undefined;
    };
    const res = await api(t, a, 'front-run').post('/api/v1/mint/execute', {
      receiptId: mint.receiptId,
      amount: '11',
      signature,
      expiryBlock: mint.expiryBlock.toString(),
      nonce: mint.nonce.toString(),
    });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, a, res.body.transactionId);
    expect(frontRunner).toBe('reverted');
    expect(done.status).toBe('CONFIRMED');
    expect(await t.ctx.publicClient.readContract({ address: a.client.tokenAddress, abi: chronosTokenAbi, functionName: 'balanceOf', args: [to] })).toBe(11n);
  });

  it('a receipt id client A minted does not block client B from minting it on its own token', async () => {
    const first = await requestMint(t, a, 'receipt-a', { receiptId: 'order-42', amountWei: 7n });
    expect(first.status).toBe(202);
    expect((await waitForTerminal(t, a, first.body.transactionId)).status).toBe('CONFIRMED');
    // Client A cannot mint it twice...
    const again = await prepare(a, 'receipt-a', 'order-42', await createWallet(t, a, 'receipt-a'));
    expectError(again, 409, 'RECEIPT_ALREADY_MINTED');

    // ...but client B's receipt ids are its own.
    const second = await requestMint(t, b, 'receipt-b', { receiptId: 'order-42', amountWei: 9n });
    expect(second.status).toBe(202);
    expect((await waitForTerminal(t, b, second.body.transactionId)).status).toBe('CONFIRMED');
    for (const [actor, amount] of [
      [a, 7n],
      [b, 9n],
    ] as const) {
      expect(
        await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: chronosTokenAbi, functionName: 'minted', args: ['order-42'] }),
      ).toBe(true);
      const wallet = await createWallet(t, actor, actor === a ? 'receipt-a' : 'receipt-b');
      expect(
        await t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: chronosTokenAbi, functionName: 'balanceOf', args: [wallet] }),
      ).toBe(amount);
    }
  });

  it('a claim id one account used does not block another account from claiming it', async () => {
    const claimerOfA = await createWallet(t, a, 'claimer');
    const claimerOfB = await createWallet(t, b, 'claimer');
    await fund(t, a, 'claimer', '10');
    await fund(t, b, 'claimer', '10');

    const first = await api(t, a, 'claimer').post('/api/v1/claims/execute', { claimId: 'coupon-1', amount: '2' });
    expect(first.status).toBe(202);
    expect((await waitForTerminal(t, a, first.body.transactionId)).status).toBe('CONFIRMED');

    const second = await api(t, b, 'claimer').post('/api/v1/claims/execute', { claimId: 'coupon-1', amount: '3' });
    expect(second.status).toBe(202);
    expect((await waitForTerminal(t, b, second.body.transactionId)).status).toBe('CONFIRMED');

    const id = keccak256(toBytes('coupon-1'));
    const claimOf = (account: Address) =>
      t.ctx.publicClient.readContract({ address: t.config.contracts.claimVault, abi: claimVaultAbi, functionName: 'claims', args: [account, id] });
    expect(await claimOf(claimerOfA)).toEqual([a.client.tokenAddress, parseEther('2')]);
    expect(await claimOf(claimerOfB)).toEqual([b.client.tokenAddress, parseEther('3')]);
  });
});
