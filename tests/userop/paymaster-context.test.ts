// Hosted sponsorship (PAYMASTER_URL): an external ERC-7677 paymaster — here a small stand-in of the
// project's own (tests/support/erc7677-paymaster.ts) that records the context it receives — is used
// when PAYMASTER_URL is set: every paymaster request of an operation goes to it carrying
// PAYMASTER_CONTEXT (null without the setting), the stored operation names the paymaster it answered
// with, and the operation ends CONFIRMED.
import { getAddress } from 'viem';
import { createTestApp, hostedSponsorship, type TestApp } from '../support/test-app.js';
import { createMintingClient, createWallet, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { startErc7677PaymasterStandIn, type Erc7677PaymasterStandIn } from '../support/erc7677-paymaster.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from '../support/stack-env.js';
import { findTransaction } from '../../src/db/transactions.js';

const PAYMASTER_METHODS = ['pm_getPaymasterStubData', 'pm_getPaymasterData'];

/** One mint sponsored by the stand-in; the contexts it received, in order. */
async function sponsoredMint(env: Record<string, string>, userId: string): Promise<unknown[]> {
  const t: TestApp = await createTestApp({ worker: true, env: { ...hostedSponsorship(standIn.url), ...env } });
  try {
    expect(t.config.sponsorship).toMatchObject({ mode: 'hosted', url: standIn.url });
    const actor: Actor = await createMintingClient(t);
    await createWallet(t, actor, userId);
    standIn.requests.length = 0;
    const res = await requestMint(t, actor, userId, { receiptId: `${userId}-receipt`, amountWei: 5n });
    expect(res.status).toBe(202);
    expect((await waitForTerminal(t, actor, res.body.transactionId)).status).toBe('CONFIRMED');
    const stored = (await findTransaction(t.ctx.db, res.body.transactionId))!;
    expect(getAddress((stored.user_op as Record<string, string>).paymaster)).toBe(getAddress(testStackEnv().paymaster));
    // ERC-7677: a stub, then the final data, each with [userOperation, entryPoint, chainId, context].
    expect(standIn.requests.map((r) => r.method)).toEqual(PAYMASTER_METHODS);
    return standIn.requests.map((r) => r.context);
  } finally {
    await t.close();
  }
}

let standIn: Erc7677PaymasterStandIn;
beforeAll(async () => {
  const stack = testStackEnv();
  standIn = await startErc7677PaymasterStandIn({ paymaster: stack.paymaster, signerKey: TEST_PAYMASTER_SIGNER_KEY, chainId: stack.chainId });
});
afterAll(() => standIn.stop());

describe('an external ERC-7677 paymaster', () => {
  it('is used when PAYMASTER_URL is set, told PAYMASTER_CONTEXT on the stub and on the final request', async () => {
    const context = { sponsorshipPolicyId: 'sp_chronos_test', note: { nested: [1, 2] } };
    expect(await sponsoredMint({ PAYMASTER_CONTEXT: JSON.stringify(context) }, 'context-set')).toEqual([context, context]);
  });

  it('is told null (no context) when PAYMASTER_CONTEXT is unset', async () => {
    expect(await sponsoredMint({}, 'context-unset')).toEqual([null, null]);
  });
});
