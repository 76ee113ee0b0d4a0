import {
  createPublicClient,
  createTestClient,
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
  type TestClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type Anvil } from '../../src/dev/anvil.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { contractActions, expectAbiMatches, expectRevert } from './support.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';
import { chronosEscrowAbi, chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { deployChronosContract, deployChronosContracts, deployChronosToken, setTokenSigner } from '../../src/chain/contracts/deploy.js';
import { chronosContract } from '../../src/chain/contracts/registry.js';
import { escrowMessageHash, type EscrowAction } from '../../src/operations/escrow/message-hash.js';

// anvil's well-known default dev keys (public test keys; never fund them anywhere real).
const owner = privateKeyToAccount(ANVIL_DEV_KEYS[0]);
/** The first client's signer; trusted by the second client's token too, so replays across tokens are tested with a signer both accept. */
const signer = privateKeyToAccount(ANVIL_DEV_KEYS[1]);
const payer = privateKeyToAccount(ANVIL_DEV_KEYS[2]);
const payee = privateKeyToAccount(ANVIL_DEV_KEYS[3]);
/** Submits signed moves: anyone may, the signature is what authorizes them. */
const stranger = privateKeyToAccount(ANVIL_DEV_KEYS[4]);
/** The second client's own signer, authorized on its token only. */
const otherClientSigner = privateKeyToAccount(ANVIL_DEV_KEYS[5]);
/** Authorized on no token. */
const notASigner = privateKeyToAccount(generatePrivateKey());

const State = { None: 0, Funded: 1, Released: 2, Refunded: 3 } as const;
const initialBalance = parseEther('100');
const amount = parseEther('5');
const hour = 3600n;

// anvil automines, so receipts exist at once; viem's default 4 s poll would only leave a sleeping
// timer behind that keeps Jest from exiting.
const pollingInterval = 50;

let anvil: Anvil;
let publicClient: PublicClient;
let testClient: TestClient;
let token: Address;
/** A second client's ChronosToken, its escrows kept in the same contract. */
let otherToken: Address;
let escrow: Address;
let escrowCounter = 0;

const walletFor = (account: PrivateKeyAccount) => createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl), pollingInterval });
const newEscrowId = (): Hex => keccak256(toHex(`escrow-${++escrowCounter}`));

beforeAll(async () => {
  anvil = await startAnvil({ port: await getFreePort() });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval });
  testClient = createTestClient({ mode: 'anvil', chain: foundry, transport: http(anvil.rpcUrl) });
  ({ token } = await deployChronosContracts(walletFor(owner), { owner: owner.address }));
  otherToken = await deployChronosToken(walletFor(owner), { owner: owner.address });
  await setTokenSigner(walletFor(owner), { token, signer: signer.address, authorized: true });
  for (const each of [signer, otherClientSigner]) await setTokenSigner(walletFor(owner), { token: otherToken, signer: each.address, authorized: true });
  escrow = await deployChronosContract(walletFor(owner), chronosContract('escrow'), { owner: owner.address });
  for (const each of [token, otherToken]) await mintTo(payer, initialBalance, each);
});

afterAll(async () => {
  await anvil?.stop();
});

const actions = () => contractActions({ publicClient, walletFor, signer });
const mintTo = (account: PrivateKeyAccount, value: bigint, into: Address) => actions().mintTo(account, value, into);
const send: ReturnType<typeof actions>['send'] = (account, call) => actions().send(account, call);

const latestTimestamp = async () => (await publicClient.getBlock()).timestamp;

/** Moves the chain's clock past `timestamp` and mines a block there, so the next call sees it. */
async function passTime(timestamp: bigint) {
  await testClient.setNextBlockTimestamp({ timestamp: timestamp + 1n });
  await testClient.mine({ blocks: 1 });
}

type Funding = { id?: Hex; of?: Address; to?: Address; value?: bigint; deadline?: bigint; at?: Address };

/** Approve + fund from the payer, as its UserOperation batches them; returns what was funded. */
async function fund({ id = newEscrowId(), of = token, to = payee.address, value = amount, deadline, at = escrow }: Funding = {}) {
  const due = deadline ?? (await latestTimestamp()) + hour;
  await send(payer, { address: of, abi: chronosTokenAbi, functionName: 'approve', args: [at, value] });
  const receipt = await send(payer, { address: at, abi: chronosEscrowAbi, functionName: 'fund', args: [of, id, to, value, due] });
  return { id, deadline: due, receipt };
}

const simulateFund = (
  id: Hex,
  { of = token, to = payee.address, value = amount, deadline }: { of?: Address; to?: Address; value?: bigint; deadline: bigint },
) => publicClient.simulateContract({ account: payer, address: escrow, abi: chronosEscrowAbi, functionName: 'fund', args: [of, id, to, value, deadline] });

const signArbiter = (action: EscrowAction, id: Hex, { of = token, by = signer, at = escrow }: { of?: Address; by?: PrivateKeyAccount; at?: Address } = {}) =>
  by.signMessage({ message: { raw: escrowMessageHash({ escrow: at, chainId: foundry.id, token: of, escrowId: id, action }) } });

const moveAsPayer = (action: EscrowAction, id: Hex, of: Address = token) =>
  send(payer, { address: escrow, abi: chronosEscrowAbi, functionName: action, args: [of, id] });

const moveWithSignature = (action: EscrowAction, id: Hex, signature: Hex, { of = token, at = escrow }: { of?: Address; at?: Address } = {}) =>
  send(stranger, { address: at, abi: chronosEscrowAbi, functionName: `${action}WithSignature`, args: [of, id, signature] });

const simulateMove = (account: PrivateKeyAccount, action: EscrowAction, id: Hex, of: Address = token) =>
  publicClient.simulateContract({ account, address: escrow, abi: chronosEscrowAbi, functionName: action, args: [of, id] });

const simulateSignedMove = (action: EscrowAction, id: Hex, signature: Hex, { of = token, at = escrow }: { of?: Address; at?: Address } = {}) =>
  publicClient.simulateContract({ account: stranger, address: at, abi: chronosEscrowAbi, functionName: `${action}WithSignature`, args: [of, id, signature] });

const balanceOf = (account: Address, of: Address = token) =>
  publicClient.readContract({ address: of, abi: chronosTokenAbi, functionName: 'balanceOf', args: [account] });

const stateOf = async (id: Hex, of: Address = token, at: Address = escrow) =>
  (await publicClient.readContract({ address: at, abi: chronosEscrowAbi, functionName: 'escrows', args: [of, id] }))[2];

describe('ChronosEscrow', () => {
  test('the hand-written ABI declares exactly the compiled functions and events, and every compiled error', async () => {
    expectAbiMatches(chronosEscrowAbi, (await compileContracts()).ChronosEscrow.abi);
  });

  test('the arbiter hash computed off-chain is the one the contract checks, and differs for another chain', async () => {
    const escrowId = newEscrowId();
    for (const [action, index] of [
      ['release', 0],
      ['refund', 1],
    ] as const) {
      const onChain = await publicClient.readContract({
        address: escrow,
        abi: chronosEscrowAbi,
        functionName: 'arbiterMessageHash',
        args: [token, escrowId, index],
      });
      expect(escrowMessageHash({ escrow, chainId: foundry.id, token, escrowId, action })).toBe(onChain);
      expect(escrowMessageHash({ escrow, chainId: 1, token, escrowId, action })).not.toBe(onChain);
    }
  });

  describe('funding', () => {
    test('pulls the approved amount from the payer, records the escrow and emits Funded', async () => {
      const payerBefore = await balanceOf(payer.address);
      const { id, deadline, receipt } = await fund();

      expect(await balanceOf(payer.address)).toBe(payerBefore - amount);
      expect(await publicClient.readContract({ address: escrow, abi: chronosEscrowAbi, functionName: 'escrows', args: [token, id] })).toEqual([
        payer.address,
        deadline,
        State.Funded,
        payee.address,
        amount,
      ]);
      // The allowance is spent exactly, so nothing is left for a later pull.
      expect(await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'allowance', args: [payer.address, escrow] })).toBe(0n);
      const [funded] = parseEventLogs({ abi: chronosEscrowAbi, logs: receipt.logs, eventName: 'Funded' });
      expect(isAddressEqual(funded.address, escrow)).toBe(true);
      expect(funded.args).toEqual({ token, escrowId: id, payer: payer.address, payee: payee.address, amount, deadline });
    });

    test('an unknown escrow reads as State.None with zero fields', async () => {
      expect(await publicClient.readContract({ address: escrow, abi: chronosEscrowAbi, functionName: 'escrows', args: [token, newEscrowId()] })).toEqual([
        '0x0000000000000000000000000000000000000000',
        0n,
        State.None,
        '0x0000000000000000000000000000000000000000',
        0n,
      ]);
    });

    test('reverts with EscrowAlreadyExists when the client reuses an id, funded or already settled', async () => {
      const { id, deadline } = await fund();
      await send(payer, { address: token, abi: chronosTokenAbi, functionName: 'approve', args: [escrow, amount] });
      expect(await expectRevert(simulateFund(id, { deadline }), 'EscrowAlreadyExists')).toEqual([token, id]);

      await moveAsPayer('refund', id);
      expect(await expectRevert(simulateFund(id, { deadline }), 'EscrowAlreadyExists')).toEqual([token, id]);
    });

    test("another client's token may use the same id: the two escrows are independent", async () => {
      const { id } = await fund();
      await fund({ id, of: otherToken });
      const [payeeBefore, payeeOtherBefore] = await Promise.all([balanceOf(payee.address), balanceOf(payee.address, otherToken)]);

      await moveAsPayer('release', id, otherToken);
      expect(await stateOf(id, otherToken)).toBe(State.Released);
      expect(await stateOf(id)).toBe(State.Funded);
      expect(await balanceOf(payee.address, otherToken)).toBe(payeeOtherBefore + amount);
      expect(await balanceOf(payee.address)).toBe(payeeBefore);

      await moveAsPayer('refund', id);
      expect(await stateOf(id)).toBe(State.Refunded);
    });

    test('reverts with ZeroAmount for an amount of 0', async () => {
      await expectRevert(simulateFund(newEscrowId(), { value: 0n, deadline: (await latestTimestamp()) + hour }), 'ZeroAmount');
    });

    test('reverts with ZeroPayee for the zero address as payee', async () => {
      const to = '0x0000000000000000000000000000000000000000';
      await expectRevert(simulateFund(newEscrowId(), { to, deadline: (await latestTimestamp()) + hour }), 'ZeroPayee');
    });

    test('reverts with DeadlineNotInFuture for a deadline already passed', async () => {
      const past = (await latestTimestamp()) - 1n;
      const [deadline] = await expectRevert(simulateFund(newEscrowId(), { deadline: past }), 'DeadlineNotInFuture');
      expect(deadline).toBe(past);
      await expectRevert(simulateFund(newEscrowId(), { deadline: 0n }), 'DeadlineNotInFuture');
    });

    test("reverts with the token's ERC20InsufficientAllowance when the escrow was not approved for enough, leaving the id unused", async () => {
      const id = newEscrowId();
      const deadline = (await latestTimestamp()) + hour;
      await send(payer, { address: token, abi: chronosTokenAbi, functionName: 'approve', args: [escrow, amount - 1n] });
      expect(await expectRevert(simulateFund(id, { deadline }), 'ERC20InsufficientAllowance')).toEqual([escrow, amount - 1n, amount]);
      expect(await stateOf(id)).toBe(State.None);
      // A failed funding does not burn its id.
      await fund({ id, deadline });
      expect(await stateOf(id)).toBe(State.Funded);
    });
  });

  describe('release and refund', () => {
    test("the payer's account releases: the payee receives the exact amount and the escrow holds nothing again", async () => {
      // Escrows funded by earlier tests are still held; a fresh deployment starts from exactly nothing.
      const fresh = await deployChronosContract(walletFor(owner), chronosContract('escrow'), { owner: owner.address });
      const payeeBefore = await balanceOf(payee.address);
      const { id } = await fund({ at: fresh });
      expect(await balanceOf(fresh)).toBe(amount);

      const receipt = await send(payer, { address: fresh, abi: chronosEscrowAbi, functionName: 'release', args: [token, id] });

      expect(await balanceOf(payee.address)).toBe(payeeBefore + amount);
      expect(await balanceOf(fresh)).toBe(0n);
      expect(await stateOf(id, token, fresh)).toBe(State.Released);
      const [released] = parseEventLogs({ abi: chronosEscrowAbi, logs: receipt.logs, eventName: 'Released' });
      expect(released.args).toEqual({ token, escrowId: id, payee: payee.address, amount, authorizedBy: payer.address });
    });

    test("the payer's account refunds before the deadline: the payer gets its amount back", async () => {
      const payerBefore = await balanceOf(payer.address);
      const { id } = await fund();
      const receipt = await moveAsPayer('refund', id);

      expect(await balanceOf(payer.address)).toBe(payerBefore);
      expect(await stateOf(id)).toBe(State.Refunded);
      const [refunded] = parseEventLogs({ abi: chronosEscrowAbi, logs: receipt.logs, eventName: 'Refunded' });
      expect(refunded.args).toEqual({ token, escrowId: id, payer: payer.address, amount, authorizedBy: payer.address });
    });

    test("anyone may submit the client's arbiter signature to release before the deadline", async () => {
      const { id } = await fund();
      const [payeeBefore, escrowBefore] = await Promise.all([balanceOf(payee.address), balanceOf(escrow)]);
      const receipt = await moveWithSignature('release', id, await signArbiter('release', id));

      expect(await balanceOf(payee.address)).toBe(payeeBefore + amount);
      expect(await balanceOf(escrow)).toBe(escrowBefore - amount);
      const [released] = parseEventLogs({ abi: chronosEscrowAbi, logs: receipt.logs, eventName: 'Released' });
      expect(released.args).toEqual({ token, escrowId: id, payee: payee.address, amount, authorizedBy: signer.address });
    });

    test("anyone may submit the client's arbiter signature to refund", async () => {
      const payerBefore = await balanceOf(payer.address);
      const { id } = await fund();
      const receipt = await moveWithSignature('refund', id, await signArbiter('refund', id));

      expect(await balanceOf(payer.address)).toBe(payerBefore);
      const [refunded] = parseEventLogs({ abi: chronosEscrowAbi, logs: receipt.logs, eventName: 'Refunded' });
      expect(refunded.args).toEqual({ token, escrowId: id, payer: payer.address, amount, authorizedBy: signer.address });
    });

    test('after the deadline the payer takes its refund, and the arbiter can no longer release', async () => {
      const payerBefore = await balanceOf(payer.address);
      const { id, deadline } = await fund();
      await passTime(deadline);

      const args = await expectRevert(simulateSignedMove('release', id, await signArbiter('release', id)), 'SignedReleaseAfterDeadline');
      expect(args[0]).toBe(deadline);
      await moveAsPayer('refund', id);
      expect(await balanceOf(payer.address)).toBe(payerBefore);
      expect(await stateOf(id)).toBe(State.Refunded);
    });

    test('after the deadline the payer may still release, and the arbiter may still refund', async () => {
      const late = await fund();
      const signedLate = await fund();
      await passTime(signedLate.deadline);

      const payeeBefore = await balanceOf(payee.address);
      await moveAsPayer('release', late.id);
      expect(await balanceOf(payee.address)).toBe(payeeBefore + amount);

      await moveWithSignature('refund', signedLate.id, await signArbiter('refund', signedLate.id));
      expect(await stateOf(signedLate.id)).toBe(State.Refunded);
    });
  });

  describe('an escrow moves once', () => {
    test('a second release reverts with EscrowAlreadySettled, by the payer or with a signature', async () => {
      const { id } = await fund();
      await moveAsPayer('release', id);
      expect(await expectRevert(simulateMove(payer, 'release', id), 'EscrowAlreadySettled')).toEqual([token, id, State.Released]);
      await expectRevert(simulateSignedMove('release', id, await signArbiter('release', id)), 'EscrowAlreadySettled');
    });

    test('a release after a refund reverts with EscrowAlreadySettled', async () => {
      const { id } = await fund();
      await moveAsPayer('refund', id);
      expect(await expectRevert(simulateMove(payer, 'release', id), 'EscrowAlreadySettled')).toEqual([token, id, State.Refunded]);
      await expectRevert(simulateSignedMove('release', id, await signArbiter('release', id)), 'EscrowAlreadySettled');
    });

    test('a refund after a release reverts with EscrowAlreadySettled', async () => {
      const { id } = await fund();
      await moveWithSignature('release', id, await signArbiter('release', id));
      expect(await expectRevert(simulateMove(payer, 'refund', id), 'EscrowAlreadySettled')).toEqual([token, id, State.Released]);
      await expectRevert(simulateSignedMove('refund', id, await signArbiter('refund', id)), 'EscrowAlreadySettled');
    });

    test('moving an id never funded reverts with EscrowNotFound, whoever asks', async () => {
      const id = newEscrowId();
      for (const action of ['release', 'refund'] as const) {
        expect(await expectRevert(simulateMove(payer, action, id), 'EscrowNotFound')).toEqual([token, id]);
        expect(await expectRevert(simulateSignedMove(action, id, await signArbiter(action, id)), 'EscrowNotFound')).toEqual([token, id]);
      }
    });
  });

  describe('authorization', () => {
    test('a stranger, or the payee, without a signature reverts with CallerNotPayer', async () => {
      const { id } = await fund();
      for (const caller of [stranger, payee]) {
        for (const action of ['release', 'refund'] as const) {
          expect(await expectRevert(simulateMove(caller, action, id), 'CallerNotPayer')).toEqual([caller.address, payer.address]);
        }
      }
      expect(await stateOf(id)).toBe(State.Funded);
    });

    test("a signature from an address that is not one of the token's signers reverts with UnauthorizedSigner", async () => {
      const { id } = await fund();
      for (const action of ['release', 'refund'] as const) {
        expect(await expectRevert(simulateSignedMove(action, id, await signArbiter(action, id, { by: notASigner })), 'UnauthorizedSigner')).toEqual([
          notASigner.address,
        ]);
      }
    });

    test("another client's signer cannot move this client's escrow", async () => {
      const { id } = await fund();
      const signature = await signArbiter('release', id, { by: otherClientSigner });
      expect(await expectRevert(simulateSignedMove('release', id, signature), 'UnauthorizedSigner')).toEqual([otherClientSigner.address]);
    });

    test('a signature for one escrow does not move another', async () => {
      const signedFor = await fund();
      const other = await fund();
      await expectRevert(simulateSignedMove('release', other.id, await signArbiter('release', signedFor.id)), 'UnauthorizedSigner');
      expect(await stateOf(other.id)).toBe(State.Funded);
    });

    test('a release signature does not refund, and a refund signature does not release', async () => {
      const { id } = await fund();
      await expectRevert(simulateSignedMove('refund', id, await signArbiter('release', id)), 'UnauthorizedSigner');
      await expectRevert(simulateSignedMove('release', id, await signArbiter('refund', id)), 'UnauthorizedSigner');
    });

    test("a signature for one client's escrow does not move the same id under another client's token, though the signer is trusted by both", async () => {
      const { id } = await fund();
      await fund({ id, of: otherToken });
      await expectRevert(simulateSignedMove('release', id, await signArbiter('release', id), { of: otherToken }), 'UnauthorizedSigner');
      expect(await stateOf(id, otherToken)).toBe(State.Funded);
    });

    test('a signature for one escrow contract does not move the same escrow in another deployment', async () => {
      const second = await deployChronosContract(walletFor(owner), chronosContract('escrow'), { owner: owner.address });
      const { id } = await fund();
      await fund({ id, at: second });
      const signature = await signArbiter('release', id, { at: escrow });
      await expectRevert(simulateSignedMove('release', id, signature, { at: second }), 'UnauthorizedSigner');
      // The same signature does what it was signed for, where it was signed for.
      await moveWithSignature('release', id, signature);
      expect(await stateOf(id)).toBe(State.Released);
      expect(await stateOf(id, token, second)).toBe(State.Funded);
    });

    test('a malformed signature reverts with ECDSAInvalidSignatureLength', async () => {
      const { id } = await fund();
      expect(await expectRevert(simulateSignedMove('refund', id, '0x1234'), 'ECDSAInvalidSignatureLength')).toEqual([2n]);
    });
  });
});
