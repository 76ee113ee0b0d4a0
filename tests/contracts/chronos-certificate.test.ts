// ChronosCertificate on its own anvil: issues and revocations signed by the client's issuer key,
// bound to the submitting account, one contract per client; verify(hash) answers for the chain; and
// no certificate ever moves (ERC-5192 locked), every transfer and approval path reverting.
import {
  createPublicClient,
  createWalletClient,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type Anvil } from '../../src/dev/anvil.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';
import { chronosCertificateAbi } from '../../src/chain/contracts/abi.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { deployClientCertificate } from '../../src/admin/client-certificate.js';
import { certificateIssuer } from '../../src/accounts/certificate-issuer.js';
import { certificateDataHash, issueMessageHash, revokeMessageHash } from '../../src/operations/certificate/message-hash.js';
import { contractActions, expectAbiMatches, expectRevert } from './support.js';

// anvil's well-known default dev keys (public test keys; never fund them anywhere real).
const owner = privateKeyToAccount(ANVIL_DEV_KEYS[0]);
/** Submits issues and revocations: a user's smart account in Chronos. */
const submitter = privateKeyToAccount(ANVIL_DEV_KEYS[1]);
const holder = privateKeyToAccount(ANVIL_DEV_KEYS[2]);
const stranger = privateKeyToAccount(ANVIL_DEV_KEYS[3]);
const masterKey = keccak256(toHex('certificate test master key'));
const issuer = certificateIssuer(masterKey, 'client_a');
const otherIssuer = certificateIssuer(masterKey, 'client_b');
const pollingInterval = 50;

let anvil: Anvil;
let publicClient: PublicClient;
let certificate: Address;
/** The second client's contract, trusting its own issuer alone. */
let otherCertificate: Address;
let counter = 0;

const walletFor = (account: PrivateKeyAccount) => createWalletClient({ account, chain: foundry, transport: http(anvil.rpcUrl), pollingInterval });
const newHash = (): Hex => keccak256(toHex(`certificate-${++counter}`));
const dataHash = certificateDataHash({ recipientName: 'John Doe', courseTitle: 'Web3 Development', courseId: 'course-123', instructorName: 'Jane Smith' });

beforeAll(async () => {
  anvil = await startAnvil({ port: await getFreePort() });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), cacheTime: 0, pollingInterval });
  ({ certificate } = await deployClientCertificate(walletFor(owner), { masterKey, clientId: 'client_a' }));
  ({ certificate: otherCertificate } = await deployClientCertificate(walletFor(owner), { masterKey, clientId: 'client_b' }));
});

afterAll(async () => {
  await anvil?.stop();
});

const send: ReturnType<typeof contractActions>['send'] = (account, call) => contractActions({ publicClient, walletFor, signer: owner }).send(account, call);

type Issue = { hash?: Hex; to?: Address; by?: PrivateKeyAccount; sender?: PrivateKeyAccount; at?: Address; signedFor?: Address; data?: Hex };

const signIssue = ({ hash = newHash(), to = holder.address, by = issuer, sender = submitter, at = certificate, data = dataHash }: Issue = {}) =>
  by.signMessage({
    message: { raw: issueMessageHash({ contract: at, chainId: foundry.id, sender: sender.address, to, verificationHash: hash, dataHash: data }) },
  });

async function issue(options: Issue = {}) {
  const hash = options.hash ?? newHash();
  const signature = await signIssue({ ...options, hash });
  const receipt = await send(options.sender ?? submitter, {
    address: options.at ?? certificate,
    abi: chronosCertificateAbi,
    functionName: 'issue',
    args: [options.to ?? holder.address, hash, options.data ?? dataHash, signature],
  });
  return { hash, tokenId: BigInt(hash), receipt };
}

const simulateIssue = (options: Issue & { signature: Hex; hash: Hex }) =>
  publicClient.simulateContract({
    account: options.sender ?? submitter,
    address: options.at ?? certificate,
    abi: chronosCertificateAbi,
    functionName: 'issue',
    args: [options.to ?? holder.address, options.hash, options.data ?? dataHash, options.signature],
  });

const signRevoke = (
  tokenId: bigint,
  reason: string,
  { by = issuer, sender = submitter, at = certificate }: { by?: PrivateKeyAccount; sender?: PrivateKeyAccount; at?: Address } = {},
) => by.signMessage({ message: { raw: revokeMessageHash({ contract: at, chainId: foundry.id, sender: sender.address, tokenId, reason }) } });

const simulateRevoke = (
  tokenId: bigint,
  reason: string,
  signature: Hex,
  { sender = submitter, at = certificate }: { sender?: PrivateKeyAccount; at?: Address } = {},
) => publicClient.simulateContract({ account: sender, address: at, abi: chronosCertificateAbi, functionName: 'revoke', args: [tokenId, reason, signature] });

const read = <F extends 'verify' | 'ownerOf' | 'locked' | 'issuerOf' | 'dataHashOf' | 'revoked' | 'balanceOf' | 'supportsInterface'>(
  functionName: F,
  args: readonly unknown[],
  at: Address = certificate,
) => publicClient.readContract({ address: at, abi: chronosCertificateAbi, functionName, args } as never) as Promise<unknown>;

it('matches the hand-written ABI', async () => {
  const compiled = await compileContracts();
  expectAbiMatches(chronosCertificateAbi, compiled.ChronosCertificate.abi);
});

it('reproduces the message hashes off-chain exactly as the contract computes them', async () => {
  const hash = newHash();
  expect(
    await publicClient.readContract({
      address: certificate,
      abi: chronosCertificateAbi,
      functionName: 'issueMessageHash',
      args: [submitter.address, holder.address, hash, dataHash],
    }),
  ).toBe(issueMessageHash({ contract: certificate, chainId: foundry.id, sender: submitter.address, to: holder.address, verificationHash: hash, dataHash }));
  expect(
    await publicClient.readContract({
      address: certificate,
      abi: chronosCertificateAbi,
      functionName: 'revokeMessageHash',
      args: [submitter.address, 7n, 'why'],
    }),
  ).toBe(revokeMessageHash({ contract: certificate, chainId: foundry.id, sender: submitter.address, tokenId: 7n, reason: 'why' }));
});

describe('issue', () => {
  it('mints token uint256(hash) to the recipient, locked, recording its issuer and data hash; verify says valid', async () => {
    const { hash, tokenId, receipt } = await issue();
    expect(await read('ownerOf', [tokenId])).toBe(holder.address);
    expect(await read('verify', [hash])).toEqual([true, tokenId, holder.address]);
    expect(await read('locked', [tokenId])).toBe(true);
    expect(await read('issuerOf', [tokenId])).toBe(issuer.address);
    expect(await read('dataHashOf', [tokenId])).toBe(dataHash);
    const events = parseEventLogs({ abi: chronosCertificateAbi, logs: receipt.logs });
    expect(events.map((e) => e.eventName)).toEqual(['Transfer', 'CertificateIssued', 'Locked']);
    expect(events[1].args).toEqual({ tokenId, to: holder.address, verificationHash: hash, dataHash, signer: issuer.address });
  });

  it('reads an unknown hash as invalid, with no holder', async () => {
    expect(await read('verify', [newHash()])).toEqual([false, expect.any(BigInt), zeroAddress]);
  });

  it('refuses the same hash twice', async () => {
    const { hash } = await issue();
    const args = await expectRevert(simulateIssue({ hash, signature: await signIssue({ hash }) }), 'CertificateAlreadyIssued');
    expect(args).toEqual([hash]);
  });

  it('refuses a zero hash', async () => {
    await expectRevert(simulateIssue({ hash: zeroHash, signature: await signIssue({ hash: zeroHash }) }), 'ZeroVerificationHash');
  });

  it("refuses a signer it does not trust: another client's issuer, or any key", async () => {
    const hash = newHash();
    for (const by of [otherIssuer, privateKeyToAccount(generatePrivateKey())]) {
      const [recovered] = await expectRevert(simulateIssue({ hash, signature: await signIssue({ hash, by }) }), 'UnauthorizedSigner');
      expect(recovered).toBe(by.address);
    }
  });

  it('refuses a signature used by another sender (front-running), for another recipient or data, or on another contract', async () => {
    const hash = newHash();
    const signature = await signIssue({ hash });
    await expectRevert(simulateIssue({ hash, signature, sender: stranger }), 'UnauthorizedSigner');
    await expectRevert(simulateIssue({ hash, signature, to: stranger.address }), 'UnauthorizedSigner');
    await expectRevert(simulateIssue({ hash, signature, data: keccak256(toHex('other fields')) }), 'UnauthorizedSigner');
    // The other client's contract does not trust this issuer, and the hash binds the contract besides.
    const onOther = await signIssue({ hash, by: otherIssuer });
    await expectRevert(simulateIssue({ hash, signature: onOther }), 'UnauthorizedSigner');
  });

  it('refuses a malformed signature', async () => {
    const hash = newHash();
    await expectRevert(simulateIssue({ hash, signature: '0x1234' }), 'ECDSAInvalidSignatureLength');
  });

  it("keeps each client's hashes apart: one hash issued on both contracts names two certificates", async () => {
    const { hash } = await issue();
    await issue({ hash, at: otherCertificate, by: otherIssuer, to: stranger.address });
    expect(await read('verify', [hash])).toEqual([true, BigInt(hash), holder.address]);
    expect(await read('verify', [hash], otherCertificate)).toEqual([true, BigInt(hash), stranger.address]);
  });
});

describe('revoke', () => {
  it('marks it revoked with its reason: verify says invalid, the holder keeps it', async () => {
    const { hash, tokenId } = await issue();
    const signature = await signRevoke(tokenId, 'Fraudulent completion');
    const receipt = await send(submitter, {
      address: certificate,
      abi: chronosCertificateAbi,
      functionName: 'revoke',
      args: [tokenId, 'Fraudulent completion', signature],
    });
    const [event] = parseEventLogs({ abi: chronosCertificateAbi, logs: receipt.logs, eventName: 'CertificateRevoked' });
    expect(event.args).toEqual({ tokenId, reason: 'Fraudulent completion', signer: issuer.address });
    expect(await read('verify', [hash])).toEqual([false, tokenId, holder.address]);
    expect(await read('revoked', [tokenId])).toBe(true);
    expect(await read('ownerOf', [tokenId])).toBe(holder.address);
    await expectRevert(simulateRevoke(tokenId, 'again', await signRevoke(tokenId, 'again')), 'CertificateAlreadyRevoked');
  });

  it('refuses a certificate that does not exist', async () => {
    const tokenId = BigInt(newHash());
    const [missing] = await expectRevert(simulateRevoke(tokenId, 'x', await signRevoke(tokenId, 'x')), 'CertificateNotFound');
    expect(missing).toBe(tokenId);
  });

  it('refuses an untrusted signer, a replay by another sender and a signature for another reason', async () => {
    const { tokenId } = await issue();
    await expectRevert(simulateRevoke(tokenId, 'x', await signRevoke(tokenId, 'x', { by: otherIssuer })), 'UnauthorizedSigner');
    const signature = await signRevoke(tokenId, 'x');
    await expectRevert(simulateRevoke(tokenId, 'x', signature, { sender: stranger }), 'UnauthorizedSigner');
    await expectRevert(simulateRevoke(tokenId, 'y', signature), 'UnauthorizedSigner');
  });

  it('lets only the signer that issued it revoke it, even when the owner trusts another one', async () => {
    const { tokenId } = await issue();
    const second = privateKeyToAccount(generatePrivateKey());
    await send(owner, { address: certificate, abi: chronosCertificateAbi, functionName: 'setSigner', args: [second.address, true] });
    const args = await expectRevert(simulateRevoke(tokenId, 'x', await signRevoke(tokenId, 'x', { by: second })), 'NotIssuer');
    expect(args).toEqual([second.address, issuer.address]);
    await send(owner, { address: certificate, abi: chronosCertificateAbi, functionName: 'setSigner', args: [second.address, false] });
  });
});

describe('soulbound', () => {
  it('reverts every transfer, by the holder or anyone, and every approval', async () => {
    const { tokenId } = await issue();
    const moves = [
      { functionName: 'transferFrom', args: [holder.address, stranger.address, tokenId] },
      { functionName: 'safeTransferFrom', args: [holder.address, stranger.address, tokenId] },
      { functionName: 'safeTransferFrom', args: [holder.address, stranger.address, tokenId, '0x'] },
    ] as const;
    for (const account of [holder, stranger]) {
      for (const move of moves) {
        await expectRevert(publicClient.simulateContract({ account, address: certificate, abi: chronosCertificateAbi, ...move } as never), 'Soulbound');
      }
    }
    // Declared pure (they revert whatever the state), so viem reads them as calls.
    await expectRevert(read('approve' as never, [stranger.address, tokenId]), 'Soulbound');
    await expectRevert(read('setApprovalForAll' as never, [stranger.address, true]), 'Soulbound');
    // Sent for real, not only simulated: the chain refuses it and the holder keeps it.
    const hash = await walletFor(holder).writeContract({
      address: certificate,
      abi: chronosCertificateAbi,
      functionName: 'transferFrom',
      args: [holder.address, stranger.address, tokenId],
      gas: 200_000n,
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('reverted');
    expect(await read('ownerOf', [tokenId])).toBe(holder.address);
  });

  it('declares ERC-721 and ERC-5192, and locked() refuses a token that does not exist', async () => {
    expect(await read('supportsInterface', ['0x80ac58cd'])).toBe(true);
    expect(await read('supportsInterface', ['0xb45a3c0e'])).toBe(true);
    await expectRevert(read('locked', [BigInt(newHash())]), 'ERC721NonexistentToken');
  });
});

describe('owner', () => {
  it('alone sets signers', async () => {
    const args = await expectRevert(
      publicClient.simulateContract({
        account: stranger,
        address: certificate,
        abi: chronosCertificateAbi,
        functionName: 'setSigner',
        args: [stranger.address, true],
      }),
      'OwnableUnauthorizedAccount',
    );
    expect(args).toEqual([stranger.address]);
    expect(await publicClient.readContract({ address: certificate, abi: chronosCertificateAbi, functionName: 'signers', args: [issuer.address] })).toBe(true);
    expect(await publicClient.readContract({ address: certificate, abi: chronosCertificateAbi, functionName: 'signers', args: [otherIssuer.address] })).toBe(
      false,
    );
  });
});
