// Identical requests with one idempotency key that all passed the replay check before the first was
// accepted: every one answers the first's 202, even once the first's own success (its receipt minted,
// its claim id used) is what the others' checks now see. A chain proxy holds each request at its
// first check until the test lets it go, so the interleaving is the same on every run.
import { toFunctionSelector, type Address } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { testStackEnv } from '../support/stack-env.js';
import { startRpcProxy, type RpcProxy, type RpcRequest } from '../support/rpc-proxy.js';
import { api, createMintingClient, createWallet, fund, signMint, waitForTerminal, type Actor } from '../support/operations.js';

const TWINS = 24;

let chain: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  chain = await startRpcProxy(testStackEnv().rpcUrl);
  t = await createTestApp({ worker: true, env: { RPC_URL: chain.url } });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await t.close();
  await chain.close();
});
afterEach(() => {
  chain.intercept = undefined;
});

const callsTo = (to: Address, signature: string) => (call: RpcRequest) => {
  const [tx] = (call.params ?? []) as [{ to?: string; data?: string; input?: string }?];
  return call.method === 'eth_call' && tx?.to?.toLowerCase() === to.toLowerCase() && (tx.data ?? tx.input ?? '').startsWith(toFunctionSelector(signature));
};

/** Holds the first `count` chain calls `match` picks until released; later ones go through. */
function holdCalls(match: (call: RpcRequest) => boolean, count: number) {
  const held: (() => void)[] = [];
  let seen = 0;
  let onHeld: (() => void) | undefined;
  chain.intercept = (call) => {
    if (!match(call) || seen >= count) return undefined;
    seen++;
    return new Promise<undefined>((resolve) => {
      held.push(() => resolve(undefined));
      onHeld?.();
    });
  };
  return {
    async allHeld() {
      while (held.length < count)
        await new Promise<void>((resolve) => {
          onHeld = resolve;
        });
    },
    releaseOne() {
      held.shift()!();
    },
    releaseAll() {
      for (const release of held.splice(0)) release();
    },
  };
}

/** Sends `TWINS` copies; answers come back in any order. */
function sendTwins(send: () => PromiseLike<{ status: number; body: Record<string, any> }>) {
  return Array.from({ length: TWINS }, () => Promise.resolve(send()));
}

async function firstAcceptedThenTheRest(gate: ReturnType<typeof holdCalls>, answers: Promise<{ status: number; body: Record<string, any> }>[]) {
  await gate.allHeld();
  gate.releaseOne();
  const first = await Promise.race(answers);
  expect(first.status).toBe(202);
  expect((await waitForTerminal(t, actor, first.body.transactionId)).status).toBe('CONFIRMED');
  gate.releaseAll();
  return { first, all: await Promise.all(answers) };
}

const rowsOf = (userId: string) =>
  t.ctx.db.selectFrom('transactions').select('id').where('client_id', '=', actor.client.clientId).where('user_id', '=', userId).execute();

describe('identical requests with one idempotency key, all checked while the first is accepted', () => {
  it(`when the first of ${TWINS} identical mints is confirmed before the others finish their checks, every one answers its 202`, async () => {
    const to = await createWallet(t, actor, 'mint-twins');
    const prep = await api(t, actor, 'mint-twins').post('/api/v1/mint/prepare', { receiptId: 'replay-twin-receipt', userAddress: to });
    const p = { to, receiptId: 'replay-twin-receipt', amount: 3n, expiryBlock: BigInt(prep.body.expiryBlock), nonce: BigInt(prep.body.nonce) };
    const body = { receiptId: p.receiptId, amount: '3', signature: await signMint(t, actor, p), expiryBlock: String(p.expiryBlock), nonce: String(p.nonce) };

    // /mint/execute asks the token whether the signer is authorized before it looks at the receipt.
    const gate = holdCalls(callsTo(actor.client.tokenAddress, 'signers(address)'), TWINS);
    const answers = sendTwins(() => api(t, actor, 'mint-twins').post('/api/v1/mint/execute', body, { 'X-Idempotency-Key': 'mint-twin-key' }));
    const { first, all } = await firstAcceptedThenTheRest(gate, answers);

    expect(all.map((r) => [r.status, r.body])).toEqual(all.map(() => [202, first.body]));
    expect((await rowsOf('mint-twins')).map((row) => row.id)).toEqual([first.body.transactionId]);
  });

  it(`when the first of ${TWINS} identical claims is confirmed before the others finish their checks, every one answers its 202`, async () => {
    await createWallet(t, actor, 'claim-twins');
    await fund(t, actor, 'claim-twins', '10');
    const before = (await rowsOf('claim-twins')).map((row) => row.id);

    // /claims/execute asks the vault whether the claim id is used.
    const gate = holdCalls(callsTo(t.config.contracts.claimVault, 'used(address,bytes32)'), TWINS);
    const answers = sendTwins(() =>
      api(t, actor, 'claim-twins').post('/api/v1/claims/execute', { claimId: 'replay-twin-claim', amount: '1' }, { 'X-Idempotency-Key': 'claim-twin-key' }),
    );
    const { first, all } = await firstAcceptedThenTheRest(gate, answers);

    expect(all.map((r) => [r.status, r.body])).toEqual(all.map(() => [202, first.body]));
    expect((await rowsOf('claim-twins')).map((row) => row.id).filter((id) => !before.includes(id))).toEqual([first.body.transactionId]);
  });
});
