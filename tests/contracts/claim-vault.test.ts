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
import { contractActions, expectAbiMatches, expectRevert } from './support.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';
import { chronosTokenAbi, claimVaultAbi } from '../../src/chain/contracts/abi.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { deployChronosContracts, deployChronosToken, setTokenSigner } from '../../src/chain/contracts/deploy.js';

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
/** A second ChronosToken (another client's), claimed through the same vault. */
let otherToken: Address;
let claimCounter = 0;

const walletFor = (account: PrivateKeyAccount) => createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl), pollingInterval });
const newClaimId = (): Hex => keccak256(toHex(`claim-${++claimCounter}`));

beforeAll(async () => {
  anvil = await startAnvil({ port: await getFreePort() });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval });
  ({ token, claimVault } = await deployChronosContracts(walletFor(owner), { owner: owner.address }));
  otherToken = await deployChronosToken(walletFor(owner), { owner: owner.address });
  for (const each of [token, otherToken]) await setTokenSigner(walletFor(owner), { token: each, signer: signer.address, authorized: true });
  for (const account of [user, otherUser]) await mintTo(account, initialBalance);
  await mintTo(user, initialBalance, otherToken);
});

afterAll(async () => {
  await anvil?.stop();
});

const actions = () => contractActions({ publicClient, walletFor, signer });
const mintTo = (account: PrivateKeyAccount, amount: bigint, into: Address = token) => actions().mintTo(account, amount, into);
const send: ReturnType<typeof actions>['send'] = (account, call) => actions().send(account, call);

const approve = (account: PrivateKeyAccount, amount: bigint, of: Address = token) =>
  send(account, { address: of, abi: chronosTokenAbi, functionName: 'approve', args: [claimVault, amount] });

const claim = (account: PrivateKeyAccount, claimId: Hex, amount: bigint, of: Address = token) =>
  send(account, { address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [of, claimId, amount] });

const simulateClaim = (account: PrivateKeyAccount, claimId: Hex, amount: bigint, of: Address = token) =>
  publicClient.simulateContract({ account, address: claimVault, abi: claimVaultAbi, functionName: 'claim', args: [of, claimId, amount] });

const balanceOf = (account: Address, of: Address = token) =>
  publicClient.readContract({ address: of, abi: chronosTokenAbi, functionName: 'balanceOf', args: [account] });

const isUsed = (account: PrivateKeyAccount, claimId: Hex) =>
  publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'used', args: [account.address, claimId] });

describe('ClaimVault', () => {
  test('the hand-written ABI declares exactly the compiled functions and events, and every compiled error', async () => {
    const { ClaimVault } = await compileContracts();
    expectAbiMatches(claimVaultAbi, ClaimVault.abi);
  });

  test('after approve, claim pulls the tokens into the vault, records the claim and emits Claimed', async () => {
    const claimId = newClaimId();
    const amount = parseEther('7');
    const [userBefore, vaultBefore] = await Promise.all([balanceOf(user.address), balanceOf(claimVault)]);
    expect(await isUsed(user, claimId)).toBe(false);

    await approve(user, amount);
    const receipt = await claim(user, claimId, amount);

    expect(await balanceOf(user.address)).toBe(userBefore - amount);
    expect(await balanceOf(claimVault)).toBe(vaultBefore + amount);
    expect(await isUsed(user, claimId)).toBe(true);
    expect(await publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'claims', args: [user.address, claimId] })).toEqual([
      token,
      amount,
    ]);
    // The allowance is spent exactly, so nothing is left for a later pull.
    expect(await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'allowance', args: [user.address, claimVault] })).toBe(0n);

    const [claimed] = parseEventLogs({ abi: claimVaultAbi, logs: receipt.logs, eventName: 'Claimed' });
    expect(isAddressEqual(claimed.address, claimVault)).toBe(true);
    expect(claimed.args).toEqual({ claimId, account: user.address, token, amount });
    const [transfer] = parseEventLogs({ abi: chronosTokenAbi, logs: receipt.logs, eventName: 'Transfer' });
    expect(transfer.args).toEqual({ from: user.address, to: claimVault, value: amount });
  });

  test('reverts with ClaimAlreadyUsed when an account reuses its own claim id, with the same or another token', async () => {
    const claimId = newClaimId();
    const amount = parseEther('1');
    await approve(user, amount);
    await claim(user, claimId, amount);

    for (const each of [token, otherToken]) {
      await approve(user, amount, each);
      const args = await expectRevert(simulateClaim(user, claimId, amount, each), 'ClaimAlreadyUsed');
      expect(args).toEqual([user.address, claimId]);
    }
  });

  test('a claim id used by one account does not block another account from using it', async () => {
    const claimId = newClaimId();
    const amount = parseEther('1');
    await approve(user, amount);
    await claim(user, claimId, amount);
    expect(await isUsed(otherUser, claimId)).toBe(false);

    await approve(otherUser, amount);
    await claim(otherUser, claimId, amount);
    expect(await isUsed(otherUser, claimId)).toBe(true);
    expect(await publicClient.readContract({ address: claimVault, abi: claimVaultAbi, functionName: 'claims', args: [user.address, claimId] })).toEqual([
      token,
      amount,
    ]);
  });

  test('serves any token: a claim of another ChronosToken pulls that token', async () => {
    const claimId = newClaimId();
    const amount = parseEther('4');
    const [userBefore, vaultBefore, firstTokenBefore] = await Promise.all([
      balanceOf(user.address, otherToken),
      balanceOf(claimVault, otherToken),
      balanceOf(claimVault),
    ]);
    await approve(user, amount, otherToken);
    await claim(user, claimId, amount, otherToken);
    expect(await balanceOf(user.address, otherToken)).toBe(userBefore - amount);
    expect(await balanceOf(claimVault, otherToken)).toBe(vaultBefore + amount);
    expect(await balanceOf(claimVault)).toBe(firstTokenBefore);
  });

  test('reverts with SafeERC20FailedOperation when the token is not a contract, leaving the id unused', async () => {
    const claimId = newClaimId();
    const args = await expectRevert(simulateClaim(user, claimId, 1n, otherUser.address), 'SafeERC20FailedOperation');
    expect(args).toEqual([otherUser.address]);
    expect(await isUsed(user, claimId)).toBe(false);
  });

  test("reverts with the token's ERC20InsufficientAllowance when the vault was not approved for enough, leaving the id unused", async () => {
    const claimId = newClaimId();
    await approve(user, parseEther('2'));
    const args = await expectRevert(simulateClaim(user, claimId, parseEther('3')), 'ERC20InsufficientAllowance');
    expect(args).toEqual([claimVault, parseEther('2'), parseEther('3')]);

    // A failed claim does not burn its id: with enough allowance the same id still works.
    expect(await isUsed(user, claimId)).toBe(false);
    await approve(user, parseEther('3'));
    await claim(user, claimId, parseEther('3'));
    expect(await isUsed(user, claimId)).toBe(true);
  });

  test("reverts with the token's ERC20InsufficientBalance when the account holds less than the amount", async () => {
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
