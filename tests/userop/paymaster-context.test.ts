// PAYMASTER_CONTEXT: a hosted ERC-7677 paymaster learns which sponsorship policy to apply from the
// `context` of its requests. A recording stand-in in front of the real paymaster shows that every
// paymaster request of an operation carries it (and, without the setting, carries null: no context), and the
// operation still ends CONFIRMED.
import { createTestApp, hostedSponsorship, type TestApp } from '../support/test-app.js';
import { createMintingClient, createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';

const PAYMASTER_METHODS = ['pm_getPaymasterStubData', 'pm_getPaymasterData'];

async function sponsoredMint(paymaster: RpcProxy, env: Record<string, string>, userId: string): Promise<unknown[]> {
  const t: TestApp = await createTestApp({ worker: true, env: { ...hostedSponsorship(paymaster.url), ...env } });
  try {
    const actor: Actor = await createMintingClient(t);
    await createWallet(t, actor, userId);
    paymaster.calls.length = 0;
    const res = await requestMint(t, actor, userId, { receiptId: `${userId}-receipt`, amountWei: 5n });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
    const calls = paymaster.calls.filter((call) => PAYMASTER_METHODS.includes(call.method));
    // ERC-7677: [userOperation, entryPoint, chainId, context]; a stub, then the final data.
    expect(calls.map((call) => call.method)).toEqual(PAYMASTER_METHODS);
    return calls.map((call) => call.params?.[3]);
  } finally {
    await t.close();
  }
}

let paymaster: RpcProxy;
beforeAll(async () => {
  paymaster = await startRpcProxy(testStackEnv().paymasterUrl);
});
afterAll(() => paymaster.close());

describe('the ERC-7677 context of paymaster requests', () => {
  it('is PAYMASTER_CONTEXT, on the stub and on the final request', async () => {
    const context = { sponsorshipPolicyId: 'sp_chronos_test', note: { nested: [1, 2] } };
    expect(await sponsoredMint(paymaster, { PAYMASTER_CONTEXT: JSON.stringify(context) }, 'context-set')).toEqual([context, context]);
  });

  it('is null (no context) when PAYMASTER_CONTEXT is unset', async () => {
    expect(await sponsoredMint(paymaster, {}, 'context-unset')).toEqual([null, null]);
  });
});
