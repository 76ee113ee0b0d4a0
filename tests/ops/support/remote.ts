// Driving a Chronos that runs as a separate process (`chronos start | api`) over real HTTP, the way a
// client backend would: token, wallet, signed mint, transfer, polling.
import { parseEther, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { TestApp, TestClient } from '../../support/test-app.js';
import { mintMessageHash } from '../../../src/operations/mint/message-hash.js';

// Where the processes are spawned; re-exported for the tests that only drive one.
export { waitUntilServing } from '../../support/processes.js';

export type RemoteResponse = { status: number; headers: Headers; body: any };

export type Remote = {
  baseUrl: string;
  call(method: string, path: string, options?: { token?: string; userId?: string; body?: unknown; headers?: Record<string, string> }): Promise<RemoteResponse>;
};

export function remote(baseUrl: string): Remote {
  return {
    baseUrl,
    async call(method, path, { token, userId, body, headers = {} } = {}) {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(userId ? { 'x-user-id': userId } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
  };
}

export type RemoteActor = { client: TestClient; signerKey: Hex; token: string };

/** A client registered in the database, with a mint signer (its key known to the test) authorized on its own token. */
export async function createRemoteActor(t: TestApp, api: Remote, params: { webhookUrl?: string; certificates?: boolean } = {}): Promise<RemoteActor> {
  const signerKey = generatePrivateKey();
  const client = await t.createClient({ signerAddress: privateKeyToAccount(signerKey).address, ...params });
  const res = await api.call('POST', '/api/v1/auth/token', { body: { clientId: client.clientId, clientSecret: client.clientSecret } });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, signerKey, token: res.body.token };
}

export async function waitForTerminalRemote(api: Remote, actor: RemoteActor, transactionId: string, timeoutMs = 60_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.call('GET', `/api/v1/transactions/${transactionId}`, { token: actor.token });
    if (res.status !== 200) throw new Error(`GET transaction: ${res.status} ${JSON.stringify(res.body)}`);
    if (['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'].includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`transaction ${transactionId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** wallet/create → mint/prepare → sign → mint/execute → CONFIRMED; returns the mint's final view. */
export async function mintRemote(
  t: TestApp,
  api: Remote,
  actor: RemoteActor,
  userId: string,
  tokens: string,
  headers: Record<string, string> = {},
): Promise<Record<string, any>> {
  const wallet = await api.call('POST', '/api/v1/wallet/create', { token: actor.token, userId, headers });
  if (wallet.status !== 200) throw new Error(`wallet/create: ${wallet.status} ${JSON.stringify(wallet.body)}`);
  const to = wallet.body.address as Address;
  const receiptId = `receipt-${userId}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const prep = await api.call('POST', '/api/v1/mint/prepare', { token: actor.token, userId, body: { receiptId, userAddress: to }, headers });
  if (prep.status !== 200) throw new Error(`mint/prepare: ${prep.status} ${JSON.stringify(prep.body)}`);
  const amount = parseEther(tokens);
  const hash = mintMessageHash({
    token: actor.client.tokenAddress,
    chainId: t.config.chain.chainId,
    to,
    receiptId,
    amount,
    expiryBlock: BigInt(prep.body.expiryBlock),
    nonce: BigInt(prep.body.nonce),
  });
  const signature = await privateKeyToAccount(actor.signerKey).signMessage({ message: { raw: hash } });
  const exec = await api.call('POST', '/api/v1/mint/execute', {
    token: actor.token,
    userId,
    headers,
    body: { receiptId, amount: amount.toString(), signature, expiryBlock: String(prep.body.expiryBlock), nonce: String(prep.body.nonce) },
  });
  if (exec.status !== 202) throw new Error(`mint/execute: ${exec.status} ${JSON.stringify(exec.body)}`);
  const done = await waitForTerminalRemote(api, actor, exec.body.transactionId);
  if (done.status !== 'CONFIRMED') throw new Error(`mint ended ${done.status}: ${JSON.stringify(done)}`);
  return done;
}
