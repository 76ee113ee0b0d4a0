import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  parseEther,
  parseEventLogs,
  toBytes,
  zeroAddress,
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
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { deployChronosContracts, setTokenSigner } from '../../src/chain/contracts/deploy.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';

// anvil's well-known default dev keys (public test keys; never fund them anywhere real).
const owner = privateKeyToAccount(ANVIL_DEV_KEYS[0]);
const signer = privateKeyToAccount(ANVIL_DEV_KEYS[1]);
const user = privateKeyToAccount(ANVIL_DEV_KEYS[2]);
const stranger = privateKeyToAccount(ANVIL_DEV_KEYS[3]);
const revokedSigner = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733526f3d4d3a6f0a5c');
// Someone who saw a signed mint and tries to submit it before its recipient does.
const relayer = privateKeyToAccount(ANVIL_DEV_KEYS[5]);
/** Only the recipient may submit its mint (in production its smart account, paid by a paymaster). */
const recipients = new Map([user, stranger].map((account) => [account.address, account]));
const submitterFor = (to: Address) => recipients.get(to) ?? relayer;

// anvil automines, so receipts exist at once; viem's default 4 s poll would only leave a sleeping
// timer behind that keeps Jest from exiting.
const pollingInterval = 50;

let anvil: Anvil;
let publicClient: PublicClient;
let token: Address;
let receiptCounter = 0;

const walletFor = (account: PrivateKeyAccount) => createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl), pollingInterval });

beforeAll(async () => {
  anvil = await startAnvil({ port: await getFreePort() });
  // cacheTime 0: viem otherwise reuses a block number for seconds, and expiry tests need the real one.
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval });
  ({ token } = await deployChronosContracts(walletFor(owner), { owner: owner.address }));
  await setTokenSigner(walletFor(owner), { token, signer: signer.address, authorized: true });
});

afterAll(async () => {
  await anvil?.stop();
});

type MintRequest = {
  to: Address;
  receiptId: string;
  amount: bigint;
  expiryBlock: bigint;
  nonce: bigint;
};

/** A mint to `user` that is valid right now, with a fresh receipt id. */
async function validRequest(overrides: Partial<MintRequest> = {}): Promise<MintRequest> {
  const to = overrides.to ?? user.address;
  return {
    to,
    receiptId: `receipt-${++receiptCounter}`,
    amount: parseEther('12.5'),
    expiryBlock: (await publicClient.getBlockNumber()) + 100n,
    nonce: await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [to] }),
    ...overrides,
  };
}

/** EIP-191 signature over the message hash, as POST /mint/prepare tells a client to produce. */
function sign(by: PrivateKeyAccount, request: MintRequest, domain: { token?: Address; chainId?: number } = {}): Promise<Hex> {
  const hash = mintMessageHash({ token: domain.token ?? token, chainId: domain.chainId ?? foundry.id, ...request });
  return by.signMessage({ message: { raw: hash } });
}

function mintArgs(request: MintRequest, signature: Hex) {
  return [request.to, request.receiptId, request.amount, request.expiryBlock, request.nonce, signature] as const;
}

function simulateMint(request: MintRequest, signature: Hex, from: PrivateKeyAccount = submitterFor(request.to)) {
  return publicClient.simulateContract({
    account: from,
    address: token,
    abi: chronosTokenAbi,
    functionName: 'mintWithSignature',
    args: mintArgs(request, signature),
  });
}

async function mint(request: MintRequest, signature: Hex) {
  const hash = await walletFor(submitterFor(request.to)).writeContract({
    address: token,
    abi: chronosTokenAbi,
    functionName: 'mintWithSignature',
    args: mintArgs(request, signature),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  return receipt;
}

const read = {
  balanceOf: (account: Address) => publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'balanceOf', args: [account] }),
  nonces: (account: Address) => publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [account] }),
  minted: (receiptId: string) => publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'minted', args: [receiptId] }),
  signers: (account: Address) => publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [account] }),
};

describe('ChronosToken', () => {
  test('is an 18-decimal ERC-20 called "Chronos Token" (CHR) owned by the deployer-chosen owner', async () => {
    const call = <F extends 'name' | 'symbol' | 'decimals' | 'owner' | 'totalSupply'>(functionName: F) =>
      publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName });
    expect(await call('name')).toBe('Chronos Token');
    expect(await call('symbol')).toBe('CHR');
    expect(await call('decimals')).toBe(18);
    expect(await call('owner')).toBe(owner.address);
  });

  test('the hand-written ABI declares exactly the compiled functions and events, and every compiled error', async () => {
    const { ChronosToken } = await compileContracts();
    expectAbiMatches(chronosTokenAbi, ChronosToken.abi);
  });

  describe('setSigner', () => {
    test('lets the owner authorize and revoke a signer, emitting SignerUpdated each time', async () => {
      for (const authorized of [true, false]) {
        const hash = await setTokenSigner(walletFor(owner), { token, signer: stranger.address, authorized });
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        const [event] = parseEventLogs({ abi: chronosTokenAbi, logs: receipt.logs, eventName: 'SignerUpdated' });
        expect(event.args).toEqual({ signer: stranger.address, authorized });
        expect(await read.signers(stranger.address)).toBe(authorized);
      }
    });

    test('reverts with OwnableUnauthorizedAccount when anyone but the owner calls it', async () => {
      const args = await expectRevert(
        publicClient.simulateContract({
          account: stranger,
          address: token,
          abi: chronosTokenAbi,
          functionName: 'setSigner',
          args: [stranger.address, true],
        }),
        'OwnableUnauthorizedAccount',
      );
      expect(args).toEqual([stranger.address]);
      await expect(setTokenSigner(walletFor(stranger), { token, signer: stranger.address, authorized: true })).rejects.toThrow();
      expect(await read.signers(stranger.address)).toBe(false);
    });
  });

  describe('mintWithSignature', () => {
    test('with a valid signature mints the amount, consumes the nonce and the receipt, and emits MintedWithSignature', async () => {
      const request = await validRequest();
      const balanceBefore = await read.balanceOf(user.address);
      const supplyBefore = await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'totalSupply' });

      const receipt = await mint(request, await sign(signer, request));

      expect(await read.balanceOf(user.address)).toBe(balanceBefore + request.amount);
      expect(await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'totalSupply' })).toBe(supplyBefore + request.amount);
      expect(await read.nonces(user.address)).toBe(request.nonce + 1n);
      expect(await read.minted(request.receiptId)).toBe(true);
      const receiptHash = keccak256(toBytes(request.receiptId));
      expect(await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'mintedHash', args: [receiptHash] })).toBe(true);

      const [minted] = parseEventLogs({ abi: chronosTokenAbi, logs: receipt.logs, eventName: 'MintedWithSignature' });
      expect(minted.args).toEqual({
        to: user.address,
        receiptId: request.receiptId,
        receiptHash,
        amount: request.amount,
        nonce: request.nonce,
        signer: signer.address,
      });
      const [transfer] = parseEventLogs({ abi: chronosTokenAbi, logs: receipt.logs, eventName: 'Transfer' });
      expect(transfer.args).toEqual({ from: zeroAddress, to: user.address, value: request.amount });
    });

    test('the contract and mintMessageHash() agree on the hash to sign', async () => {
      const request = await validRequest();
      const onChain = await publicClient.readContract({
        address: token,
        abi: chronosTokenAbi,
        functionName: 'mintMessageHash',
        args: [request.to, request.receiptId, request.amount, request.expiryBlock, request.nonce],
      });
      expect(onChain).toBe(mintMessageHash({ token, chainId: foundry.id, ...request }));
    });

    test('succeeds when mined exactly in the expiry block', async () => {
      // Automine puts the next transaction in the block after the latest one.
      const request = await validRequest({ expiryBlock: (await publicClient.getBlockNumber()) + 1n });
      const receipt = await mint(request, await sign(signer, request));
      expect(receipt.blockNumber).toBe(request.expiryBlock);
    });

    test('reverts with MintExpired once block.number is past expiryBlock', async () => {
      const request = await validRequest({ expiryBlock: (await publicClient.getBlockNumber()) - 1n });
      const [expiryBlock, currentBlock] = await expectRevert(simulateMint(request, await sign(signer, request)), 'MintExpired');
      expect(expiryBlock).toBe(request.expiryBlock);
      expect(currentBlock as bigint).toBeGreaterThan(request.expiryBlock);
    });

    test('reverts with InvalidNonce when the nonce is not the next one for the recipient', async () => {
      const current = await read.nonces(user.address);
      const request = await validRequest({ nonce: current + 1n });
      const args = await expectRevert(simulateMint(request, await sign(signer, request)), 'InvalidNonce');
      expect(args).toEqual([current, current + 1n]);
    });

    test('a signature cannot be replayed: the second submission fails on the consumed nonce', async () => {
      const request = await validRequest();
      const signature = await sign(signer, request);
      await mint(request, signature);
      const args = await expectRevert(simulateMint(request, signature), 'InvalidNonce');
      expect(args).toEqual([request.nonce + 1n, request.nonce]);
    });

    test('reverts with ReceiptAlreadyMinted when a receipt id is reused, even with a fresh nonce or recipient', async () => {
      const first = await validRequest();
      await mint(first, await sign(signer, first));

      for (const to of [user.address, stranger.address]) {
        const again = await validRequest({ to, receiptId: first.receiptId });
        const args = await expectRevert(simulateMint(again, await sign(signer, again)), 'ReceiptAlreadyMinted');
        expect(args).toEqual([first.receiptId]);
      }
    });

    test('reverts with UnauthorizedSigner when signed by a key that is not an authorized signer', async () => {
      const request = await validRequest();
      const args = await expectRevert(simulateMint(request, await sign(stranger, request)), 'UnauthorizedSigner');
      expect(args).toEqual([stranger.address]);
    });

    test('reverts with UnauthorizedSigner once the signer that signed is de-authorized', async () => {
      await setTokenSigner(walletFor(owner), { token, signer: revokedSigner.address, authorized: true });
      const request = await validRequest();
      const signature = await sign(revokedSigner, request);
      await simulateMint(request, signature); // valid while authorized

      await setTokenSigner(walletFor(owner), { token, signer: revokedSigner.address, authorized: false });
      const args = await expectRevert(simulateMint(request, signature), 'UnauthorizedSigner');
      expect(args).toEqual([revokedSigner.address]);
    });

    describe('reverts with UnauthorizedSigner when the signature covers different data', () => {
      // The signature is valid ECDSA, but it recovers to an unrelated address for the submitted data.
      const cases: [string, (request: MintRequest) => Promise<Hex>][] = [
        ['a different amount', (r) => sign(signer, { ...r, amount: r.amount + 1n })],
        ['a different recipient', (r) => sign(signer, { ...r, to: stranger.address })],
        ['a different expiry block', (r) => sign(signer, { ...r, expiryBlock: r.expiryBlock + 1n })],
        ['a different receipt id', (r) => sign(signer, { ...r, receiptId: `${r.receiptId}-other` })],
        ['a different chain id', (r) => sign(signer, r, { chainId: 1 })],
        ['a different contract address', (r) => sign(signer, r, { token: relayer.address })],
      ];
      test.each(cases)('signed over %s', async (_label, signOther) => {
        const request = await validRequest();
        const [recovered] = await expectRevert(simulateMint(request, await signOther(request)), 'UnauthorizedSigner');
        expect(recovered).not.toBe(signer.address);
        expect(await read.signers(recovered as Address)).toBe(false);
      });
    });

    test('reverts with ECDSAInvalidSignatureLength for a signature that is not 65 bytes', async () => {
      const request = await validRequest();
      const signature = await sign(signer, request);
      const truncated = signature.slice(0, 2 + 64 * 2) as Hex;
      expect(await expectRevert(simulateMint(request, truncated), 'ECDSAInvalidSignatureLength')).toEqual([64n]);
    });

    test('reverts with ECDSAInvalidSignatureS for the malleable (high-s) twin of a valid signature', async () => {
      const request = await validRequest();
      const signature = await sign(signer, request);
      const secp256k1Order = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const r = signature.slice(2, 66);
      const highS = secp256k1Order - BigInt(`0x${signature.slice(66, 130)}`);
      const flippedV = parseInt(signature.slice(130, 132), 16) === 27 ? '1c' : '1b';
      const twin = `0x${r}${highS.toString(16).padStart(64, '0')}${flippedV}` as Hex;
      const [s] = await expectRevert(simulateMint(request, twin), 'ECDSAInvalidSignatureS');
      expect(BigInt(s as Hex)).toBe(highS);
    });

    test('reverts with ECDSAInvalidSignature for a 65-byte signature that recovers to nobody', async () => {
      const request = await validRequest();
      const zeros = `0x${'00'.repeat(64)}1b` as Hex;
      expect(await expectRevert(simulateMint(request, zeros), 'ECDSAInvalidSignature')).toEqual([]);
    });

    test('reverts with ZeroAmount for an amount of 0', async () => {
      const request = await validRequest({ amount: 0n });
      await expectRevert(simulateMint(request, await sign(signer, request)), 'ZeroAmount');
    });

    test('reverts with MintCallerNotRecipient when anyone but the recipient submits a valid signature, leaving it usable', async () => {
      const request = await validRequest();
      const signature = await sign(signer, request);
      const args = await expectRevert(simulateMint(request, signature, relayer), 'MintCallerNotRecipient');
      expect(args).toEqual([relayer.address, user.address]);
      // Front-running fails, so the recipient's own submission still goes through.
      await mint(request, signature);
      expect(await read.minted(request.receiptId)).toBe(true);
    });

    test('reverts with MintCallerNotRecipient for the zero address as recipient (no account can send as it)', async () => {
      const request = await validRequest({ to: zeroAddress });
      const args = await expectRevert(simulateMint(request, await sign(signer, request), relayer), 'MintCallerNotRecipient');
      expect(args).toEqual([relayer.address, zeroAddress]);
    });
  });
});
