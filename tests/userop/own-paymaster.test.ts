// Chronos's own sponsorship: ChronosPaymaster pays for what PAYMASTER_SIGNER_KEY signed, in-process.
// The off-chain hash is the contract's getHash to the bit; an operation it sponsors ends CONFIRMED
// with the user's account holding no ETH and the paymaster's deposit lower by exactly the operation's
// actual cost; and what is stored carries a window of SPONSORSHIP_VALID_SECONDS.
import { createPublicClient, http, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { chronosPaymasterAbi } from '../../src/chain/contracts/abi.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { findTransaction } from '../../src/db/transactions.js';
import { createOwnPaymaster, ownSponsorshipWindow, sponsorshipHash, OWN_PAYMASTER_VERIFICATION_GAS } from '../../src/userop/sponsorship/own-paymaster.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from '../support/stack-env.js';
import { toPackedUserOperation } from 'viem/account-abstraction';

const stack = testStackEnv();
const client = createPublicClient({ transport: http(stack.rpcUrl) });
const deposit = () => client.readContract({ address: stack.paymaster, abi: chronosPaymasterAbi, functionName: 'getDeposit' });

describe("ChronosPaymaster's hash, off-chain", () => {
  it.each([
    ['a deployed account', undefined, undefined],
    ['an account deployed by this operation', '0x91E60e0613810449d098b0b5Ec8b51A0FE8c8985', '0x5fbfb9cf0000000000000000000000001234'],
  ] as const)('is the contract’s getHash for %s', async (_case, factory, factoryData) => {
    const request = {
      sender: privateKeyToAccount(generatePrivateKey()).address,
      nonce: 7n,
      factory: factory as Address | undefined,
      factoryData: factoryData as Hex | undefined,
      callData: '0xdeadbeef' as Hex,
      callGasLimit: 123_456n,
      verificationGasLimit: 234_567n,
      preVerificationGas: 45_678n,
      maxFeePerGas: 3_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
      paymasterVerificationGasLimit: OWN_PAYMASTER_VERIFICATION_GAS,
      paymasterPostOpGasLimit: 0n,
    };
    const window = { validUntil: 1_900_000_000, validAfter: 0 };
    const packed = toPackedUserOperation({ ...request, paymaster: stack.paymaster, paymasterData: '0x', signature: '0x' } as never);
    const onChain = await client.readContract({
      address: stack.paymaster,
      abi: chronosPaymasterAbi,
      functionName: 'getHash',
      args: [packed, window.validUntil, window.validAfter],
    });
    expect(sponsorshipHash(request, { chainId: stack.chainId, paymaster: stack.paymaster, ...window })).toBe(onChain);
  });

  it('signs a window the contract reads back, from now for SPONSORSHIP_VALID_SECONDS', async () => {
    const sponsor = createOwnPaymaster({
      address: stack.paymaster,
      signerKey: TEST_PAYMASTER_SIGNER_KEY,
      chainId: stack.chainId,
      validSeconds: 90,
      now: () => 1_000,
    });
    const data = await sponsor.getPaymasterData({
      sender: stack.paymaster,
      nonce: 0n,
      callData: '0x',
      chainId: stack.chainId,
      entryPointAddress: ENTRY_POINT_07_ADDRESS,
    } as never);
    const [validUntil, validAfter] = await client.readContract({
      address: stack.paymaster,
      abi: chronosPaymasterAbi,
      functionName: 'parsePaymasterAndData',
      args: [`${stack.paymaster}${'00'.repeat(32)}${(data.paymasterData as Hex).slice(2)}` as Hex],
    });
    expect({ validUntil, validAfter }).toEqual({ validUntil: 1_090, validAfter: 0 });
    expect(ownSponsorshipWindow({ paymaster: stack.paymaster, paymasterData: data.paymasterData as Hex }, stack.paymaster)).toEqual({
      validUntil: 1_090,
      validAfter: 0,
    });
    expect(
      ownSponsorshipWindow({ paymaster: privateKeyToAccount(generatePrivateKey()).address, paymasterData: data.paymasterData as Hex }, stack.paymaster),
    ).toBeUndefined();
  });
});

describe("an operation sponsored by Chronos's own paymaster", () => {
  let t: TestApp;
  let actor: Actor;
  beforeAll(async () => {
    t = await createTestApp({ worker: true, env: { SPONSORSHIP_VALID_SECONDS: '120' } });
    actor = await createMintingClient(t);
  });
  afterAll(() => t.close());

  it('is CONFIRMED with the account at 0 ETH, the deposit lower by exactly its actual cost', async () => {
    expect(t.config.sponsorship.mode).toBe('own');
    const before = await deposit();
    const startedAt = Math.floor(Date.now() / 1000);
    const res = await requestMint(t, actor, 'own-sponsored', { receiptId: 'own-1', amountWei: 5n });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect({ status: done.status, error: done.error }).toEqual({ status: 'CONFIRMED', error: null });
    const wallet = (await findTransaction(t.ctx.db, res.body.transactionId))!;
    expect(await client.getBalance({ address: wallet.wallet_address as Address })).toBe(0n);
    expect(BigInt(done.gasCostWei)).toBeGreaterThan(0n);
    expect(before - (await deposit())).toBe(BigInt(done.gasCostWei));
    // Stored with our paymaster and a window of SPONSORSHIP_VALID_SECONDS from when it was signed.
    const window = ownSponsorshipWindow(wallet.user_op as Record<string, string>, stack.paymaster)!;
    expect(window.validUntil).toBeGreaterThanOrEqual(startedAt + 120);
    expect(window.validUntil).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120);
  });
});
