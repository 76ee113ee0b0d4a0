import {
  createPublicClient,
  createWalletClient,
  http,
  isAddressEqual,
  keccak256,
  parseEther,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type Anvil } from '../../src/dev/anvil.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { expectAbiMatches, expectRevert } from './support.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';
import { chronosTokenAbi, claimVaultAbi } from '../../src/chain/contracts/abi.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { deployChronosContracts, mintMessageHash, setTokenSigner } from '../../src/chain/contracts/deploy.js';

// anvil's well-known default dev keys (public test keys; never fund them anywhere real).
const owner = privateKeyToAccount(ANVIL_DEV_KEYS[0]);
const signer = privateKeyToAccount(ANVIL_DEV_KEYS[1]);
const user = privateKeyToAccount(ANVIL_DEV_KEYS[2]);
const otherUser = privateKeyToAccount(ANVIL_DEV_KEYS[3]);

const initialBalance = parseEther('100');

// anvil automines, so receipts exist at once; viem's default 4 s poll would only leave a sleeping
// timer behind that keeps Jest from exiting.
const pollingInterval = 50;

let anvil: Anvil;
let publicClient: PublicClient;
let token: Address;
let claimVault: Address;
let claimCounter = 0;

const walletFor = (account: PrivateKeyAccount) =>
  createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl), pollingInterval });
const newClaimId = (): Hex => keccak256(toHex(`claim-${++claimCounter}`));

beforeAll(async () => {
  anvil = await startAnvil({ port: await getFreePort() });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval });
  ({ token, claimVault } = await deployChronosContracts(walletFor(owner), { owner: owner.address }));
  await setTokenSigner(walletFor(owner), { token, signer: signer.address, authorized: true });
  for (const account of [user, otherUser]) await mintTo(account.address, initialBalance);
});

afterAll(async () => {
  await anvil?.stop();
});

/** Funds an account the way Chronos does: a signed mint. */
async function mintTo(to: Address, amount: bigint) {
  const request = {
    to,
    receiptId: `fund-${to}`,
    amount,
    expiryBlock: (await publicClient.getBlockNumber()) + 10n,
    nonce: 0n,
  };
  const signature = await signer.signMessage({ message: { raw: mintMessageHash({ token, chainId: foundry.id, ...request }) } });
  await send(owner, {
    address: token,
    abi: chronosTokenAbi,
    functionName: 'mintWithSignature',
    args: [request.to, request.receiptId, request.amount, request.expiryBlock, request.nonce, signature],
  });
}

async function send(
  account: PrivateKeyAccount,
  call: Parameters<ReturnType<typeof walletFor>['writeContract']>[0],
) {
  const hash = await walletFor(account).writeContract(call);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  return receipt;
}

const approve = (account: PrivateKeyAccount, amount: bigint) =>
  send(account, { address: token, abi: chronosTokenAbi, functionName: 'approve', args: [claimVault, amount] });

const simulateClaim = (account: PrivateKeyAccount, claimId: Hex, amount: bigint) =>
  publicClient.simulateContract({ account, address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [claimId, amount] });

const balanceOf = (account: Address) =>
  publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'balanceOf', args: [account] });

const isUsed = (claimId: Hex) =>
  publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'used', args: [claimId] });

describe('ClaimVault', () => {
  test('is bound to the token it was deployed for', async () => {
    expect(await publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'token' })).toBe(token);
  });

  test('the hand-written ABI declares exactly the compiled functions and events, and every compiled error', async () => {
    const { ClaimVault } = await compileContracts();
    expectAbiMatches(claimVaultAbi, ClaimVault.abi);
  });

  test('after approve, claim pulls the tokens into the vault, records the claim and emits Claimed', async () => {
    const claimId = newClaimId();
    const amount = parseEther('7');
    const [userBefore, vaultBefore] = await Promise.all([balanceOf(user.address), balanceOf(claimVault)]);
    expect(await isUsed(claimId)).toBe(false);

    await approve(user, amount);
    const receipt = await send(user, { address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [claimId, amount] });

    expect(await balanceOf(user.address)).toBe(userBefore - amount);
    expect(await balanceOf(claimVault)).toBe(vaultBefore + amount);
    expect(await isUsed(claimId)).toBe(true);
    expect(
      await publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'claims', args: [claimId] }),
    ).toEqual([user.address, amount]);
    // The allowance is spent exactly, so nothing is left for a later pull.
    expect(
      await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'allowance', args: [user.address, claimVault] }),
    ).toBe(0n);

    const [claimed] = parseEventLogs({ abi: claimVaultAbi, logs: receipt.logs, eventName: 'Claimed' });
    expect(isAddressEqual(claimed.address, claimVault)).toBe(true);
    expect(claimed.args).toEqual({ claimId, account: user.address, amount });
    const [transfer] = parseEventLogs({ abi: chronosTokenAbi, logs: receipt.logs, eventName: 'Transfer' });
    expect(transfer.args).toEqual({ from: user.address, to: claimVault, value: amount });
  });

  test('reverts with ClaimAlreadyUsed when a claim id is reused, by the same or another account', async () => {
    const claimId = newClaimId();
    const amount = parseEther('1');
    await approve(user, amount);
    await send(user, { address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [claimId, amount] });

    for (const account of [user, otherUser]) {
      await approve(account, amount);
      const args = await expectRevert(simulateClaim(account, claimId, amount), 'ClaimAlreadyUsed');
      expect(args).toEqual([claimId]);
    }
  });

  test('reverts with the token\'s ERC20InsufficientAllowance when the vault was not approved for enough, leaving the id unused', async () => {
    const claimId = newClaimId();
    await approve(user, parseEther('2'));
    const args = await expectRevert(simulateClaim(user, claimId, parseEther('3')), 'ERC20InsufficientAllowance');
    expect(args).toEqual([claimVault, parseEther('2'), parseEther('3')]);

    // A failed claim does not burn its id: with enough allowance the same id still works.
    expect(await isUsed(claimId)).toBe(false);
    await approve(user, parseEther('3'));
    await send(user, { address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [claimId, parseEther('3')] });
    expect(await isUsed(claimId)).toBe(true);
  });

  test('reverts with the token\'s ERC20InsufficientBalance when the account holds less than the amount', async () => {
    const balance = await balanceOf(otherUser.address);
    const amount = balance + 1n;
    await approve(otherUser, amount);
    const args = await expectRevert(simulateClaim(otherUser, newClaimId(), amount), 'ERC20InsufficientBalance');
    expect(args).toEqual([otherUser.address, balance, amount]);
  });

  test('reverts with ZeroAmount for an amount of 0', async () => {
    await expectRevert(simulateClaim(user, newClaimId(), 0n), 'ZeroAmount');
  });
});
