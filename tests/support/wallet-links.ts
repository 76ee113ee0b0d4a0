// Linking wallets the way a client's frontend would: ask for the message, have the wallet sign it,
// send both. And an ERC-1271 contract wallet to link: tests/fixtures/contracts/OwnedSigner.sol,
// compiled here with solc-js (it is a test fixture, not one of the product's contracts/) and deployed
// with the test deployer key.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAddress, type Abi, type Address, type Hex } from 'viem';
import { deployContract, waitForTransactionReceipt } from 'viem/actions';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from './test-app.js';
import { api, createMintingClient, type Actor } from './operations.js';
import { withTestDeployer } from './client-tokens.js';

/** The world of the link route tests: an app, a client whose users link wallets, and another client. */
export async function linkWorld(): Promise<{ t: TestApp; actor: Actor; other: Actor }> {
  const t = await createTestApp();
  return { t, actor: await createMintingClient(t), other: await createMintingClient(t) };
}

/** A fresh external wallet (an EOA). */
export const newWallet = () => privateKeyToAccount(generatePrivateKey());

export type IssuedNonce = { address: string; message: string; nonce: string; expiresAt: string };

export async function issueNonce(t: TestApp, actor: Actor, userId: string, address: Address): Promise<IssuedNonce> {
  const res = await api(t, actor, userId).get(`/api/v1/wallets/connect/nonce?address=${address}`);
  if (res.status !== 200) throw new Error(`wallets/connect/nonce: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as IssuedNonce;
}

export function connect(t: TestApp, actor: Actor, userId: string, body: { address: string; message: string; signature: Hex }) {
  return api(t, actor, userId).post('/api/v1/wallets/connect', body);
}

/** nonce → sign with the EOA → connect; returns the connect response. */
export async function linkEoa(t: TestApp, actor: Actor, userId: string, wallet: PrivateKeyAccount) {
  const { message } = await issueNonce(t, actor, userId, wallet.address);
  return connect(t, actor, userId, { address: wallet.address, message, signature: await wallet.signMessage({ message }) });
}

let compiled: Promise<{ abi: Abi; bytecode: Hex }> | undefined;

function compileOwnedSigner(): Promise<{ abi: Abi; bytecode: Hex }> {
  compiled ??= (async () => {
    const source = await readFile(join(import.meta.dirname, '..', 'fixtures', 'contracts', 'OwnedSigner.sol'), 'utf8');
    const { default: solc } = await import('solc');
    const input = {
      language: 'Solidity',
      sources: { 'OwnedSigner.sol': { content: source } },
      settings: { evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } },
    };
    const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
      errors?: { severity: string; formattedMessage: string }[];
      contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
    };
    const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
    if (errors.length) throw new Error(`OwnedSigner.sol: ${errors.map((e) => e.formattedMessage).join('\n')}`);
    const contract = output.contracts['OwnedSigner.sol'].OwnedSigner;
    return { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` as Hex };
  })();
  return compiled;
}

/** Deploys an OwnedSigner whose valid signatures are `owner`'s; resolves once it is mined. */
export async function deployOwnedSigner(owner: Address): Promise<Address> {
  const { abi, bytecode } = await compileOwnedSigner();
  return withTestDeployer(async (client) => {
    const hash = await deployContract(client, { abi, bytecode, args: [owner] });
    const receipt = await waitForTransactionReceipt(client, { hash, pollingInterval: 50 });
    if (!receipt.contractAddress || receipt.status !== 'success') throw new Error(`OwnedSigner deployment ${hash} failed`);
    return getAddress(receipt.contractAddress);
  });
}
