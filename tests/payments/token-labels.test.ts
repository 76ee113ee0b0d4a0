// The own token's name and symbol come from its contract, read once per process: behind a counting
// proxy in front of the chain, repeated GET /payments/tokens and balance reads ask for them only the
// first time, and a failed first read is asked again rather than kept.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy, type RpcRequest } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, type Actor } from '../support/operations.js';

const NAME = '0x06fdde03';
const SYMBOL = '0x95d89b41';

let chain: RpcProxy;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  chain = await startRpcProxy(testStackEnv().rpcUrl);
  t = await createTestApp({ env: { RPC_URL: chain.url } });
  actor = await createMintingClient(t);
  await createWallet(t, actor, 'lena');
});
afterAll(async () => {
  await t?.close();
  await chain?.close();
});

/** The selector of an eth_call to the client's token, if the call is one. */
function tokenSelector(call: RpcRequest): string | undefined {
  if (call.method !== 'eth_call') return undefined;
  const [tx] = (call.params ?? []) as [{ to?: string; data?: string; input?: string }];
  return tx?.to?.toLowerCase() === actor.client.tokenAddress.toLowerCase() ? (tx.data ?? tx.input ?? '').slice(0, 10) : undefined;
}
/** eth_calls of `selector` on the client's token since `from` (an index into chain.calls). */
const labelReads = (from: number, selector: string) => chain.calls.slice(from).filter((call) => tokenSelector(call) === selector).length;

describe("the own token's name and symbol", () => {
  it('are read from the chain the first time they are needed, and a failed read is not kept', async () => {
    const start = chain.calls.length;
    // name() fails, once symbol() has arrived too: every read of the failed request is counted before it is answered.
    let symbolArrived!: () => void;
    const bothArrived = new Promise<void>((resolve) => (symbolArrived = resolve));
    chain.intercept = async (call) => {
      const selector = tokenSelector(call);
      if (selector === SYMBOL) symbolArrived();
      if (selector !== NAME) return undefined;
      await bothArrived;
      return { error: { code: -32000, message: 'missing trie node' } };
    };
    const refused = await api(t, actor).get('/api/v1/payments/tokens');
    expect([refused.status, refused.body.code]).toEqual([500, 'INTERNAL_ERROR']);
    chain.intercept = undefined;
    const first = await api(t, actor).get('/api/v1/payments/tokens');
    expect(first.status).toBe(200);
    expect(first.body.tokens[0]).toMatchObject({ name: 'Chronos Token', symbol: 'CHR' });
    const afterFirst = chain.calls.length;
    expect([labelReads(start, NAME), labelReads(start, SYMBOL)]).toEqual([2, 2]);

    for (let i = 0; i < 3; i++) expect((await api(t, actor).get('/api/v1/payments/tokens')).body).toEqual(first.body);
    const balances = await api(t, actor, 'lena').get('/api/v1/wallet/balances');
    expect(balances.body.balances[0]).toMatchObject({ token: actor.client.tokenAddress, symbol: 'CHR' });
    expect([labelReads(afterFirst, NAME), labelReads(afterFirst, SYMBOL)]).toEqual([0, 0]);
  });
});
