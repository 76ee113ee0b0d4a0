// Driving operations through the API the way a client backend would, for tests that need a user
// with tokens, a confirmed transaction, or to watch a status change.
import request from 'supertest';
import { getAddress, parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { TestApp, TestClient, TestClientOptions } from './test-app.js';
import type { CreateClientParameters } from '../../src/admin/clients.js';
import { setTokenSigner } from '../../src/chain/contracts/deploy.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';
import { withTestDeployer } from './client-tokens.js';

export type Actor = { client: TestClient; token: string; signer: PrivateKeyAccount };

/** A client with a mint signer registered in Chronos and authorized on its own ChronosToken (or on a shared `tokenAddress`). */
export async function createMintingClient(t: TestApp, params: Omit<Partial<CreateClientParameters>, 'signerAddress'> & TestClientOptions = {}): Promise<Actor> {
  const signer = privateKeyToAccount(generatePrivateKey());
  const client = await t.createClient({ signerAddress: signer.address, ...params });
  if (params.tokenAddress) {
    await withTestDeployer((owner) => setTokenSigner(owner, { token: client.tokenAddress, signer: signer.address, authorized: true }));
  }
  return { client, signer, token: await t.tokenFor(client) };
}

export const api = (t: TestApp, actor: Actor, userId?: string) => ({
  post: (path: string, body?: object, headers: Record<string, string> = {}) => {
    let req = request(t.app).post(path).set('Authorization', `Bearer ${actor.token}`);
    if (userId !== undefined) req = req.set('X-User-Id', userId);
    for (const [k, v] of Object.entries(headers)) req = req.set(k, v);
    return body === undefined ? req : req.send(body);
  },
  get: (path: string) => {
    let req = request(t.app).get(path).set('Authorization', `Bearer ${actor.token}`);
    if (userId !== undefined) req = req.set('X-User-Id', userId);
    return req;
  },
});

export async function createWallet(t: TestApp, actor: Actor, userId: string): Promise<Address> {
  const res = await api(t, actor, userId).post('/api/v1/wallet/create');
  if (res.status !== 200) throw new Error(`wallet/create: ${res.status} ${JSON.stringify(res.body)}`);
  return getAddress(res.body.address);
}

/** Signs a mint authorization exactly as the README tells client backends to. */
export async function signMint(
  t: TestApp,
  actor: Actor,
  p: { to: Address; receiptId: string; amount: bigint; expiryBlock: bigint; nonce: bigint },
): Promise<Hex> {
  const hash = mintMessageHash({ token: actor.client.tokenAddress, chainId: t.config.chain.chainId, ...p });
  return actor.signer.signMessage({ message: { raw: hash } });
}

/** prepare → sign → execute; returns the execute response. */
export async function requestMint(t: TestApp, actor: Actor, userId: string, p: { receiptId: string; amountWei: bigint; headers?: Record<string, string> }) {
  const to = await createWallet(t, actor, userId);
  const prep = await api(t, actor, userId).post('/api/v1/mint/prepare', { receiptId: p.receiptId, userAddress: to });
  if (prep.status !== 200) throw new Error(`mint/prepare: ${prep.status} ${JSON.stringify(prep.body)}`);
  const expiryBlock = BigInt(prep.body.expiryBlock);
  const nonce = BigInt(prep.body.nonce);
  const signature = await signMint(t, actor, { to, receiptId: p.receiptId, amount: p.amountWei, expiryBlock, nonce });
  return api(t, actor, userId).post(
    '/api/v1/mint/execute',
    {
      receiptId: p.receiptId,
      amount: p.amountWei.toString(),
      signature,
      expiryBlock: expiryBlock.toString(),
      nonce: nonce.toString(),
    },
    p.headers,
  );
}

/** Polls GET /transactions/{id} until a terminal status (or the timeout). */
export async function waitForTerminal(t: TestApp, actor: Actor, transactionId: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api(t, actor).get(`/api/v1/transactions/${transactionId}`);
    if (res.status !== 200) throw new Error(`GET transaction: ${res.status} ${JSON.stringify(res.body)}`);
    if (['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`transaction ${transactionId} still ${res.body.status} after ${timeoutMs} ms: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Mints `tokens` to the user through Chronos and waits for CONFIRMED. */
export async function fund(t: TestApp, actor: Actor, userId: string, tokens: string): Promise<void> {
  const res = await requestMint(t, actor, userId, {
    receiptId: `fund-${userId}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    amountWei: parseEther(tokens),
  });
  if (res.status !== 202) throw new Error(`mint/execute: ${res.status} ${JSON.stringify(res.body)}`);
  const done = await waitForTerminal(t, actor, res.body.transactionId);
  if (done.status !== 'CONFIRMED') throw new Error(`funding mint ended ${done.status}: ${JSON.stringify(done)}`);
}
