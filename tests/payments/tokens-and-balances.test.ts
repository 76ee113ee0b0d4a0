// GET /api/v1/payments/tokens and GET /api/v1/wallet/balances against the real stack.
import { getAddress, parseEther } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { startWorker, type RunningWorker } from '../../src/runtime/services.js';
import { api, createMintingClient, createWallet, fund, type Actor } from '../support/operations.js';

let t: TestApp;
let actor: Actor;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  t = await createTestApp();
  worker = await startWorker(t.ctx);
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await worker?.stop();
  await t.close();
});

describe('GET /api/v1/payments/tokens', () => {
  it("lists the client's token as the chain describes it, and refuses another chain", async () => {
    const res = await api(t, actor).get('/api/v1/payments/tokens');
    expect(res.status).toBe(200);
    expect(res.body.tokens).toHaveLength(1);
    expect(res.body.tokens[0]).toMatchObject({
      address: actor.client.tokenAddress,
      decimals: 18,
      minAmount: '0.000000000000000001',
      chain: t.config.chain.chainId,
    });
    expect(typeof res.body.tokens[0].symbol).toBe('string');
    expect((await api(t, actor).get(`/api/v1/payments/tokens?chain=${t.config.chain.chainId}`)).status).toBe(200);
    expectError(await api(t, actor).get('/api/v1/payments/tokens?chain=ethereum'), 400, 'VALIDATION_ERROR');
  });
});

describe('GET /api/v1/wallet/balances', () => {
  it('shows the on-chain balance, what is pending in flight (an escrow funding included), and what is available', async () => {
    const address = await createWallet(t, actor, 'erin');
    await createWallet(t, actor, 'frank');
    await fund(t, actor, 'erin', '50');
    // From here on nothing executes: what is accepted stays in flight.
    await worker!.stop();
    worker = undefined;
    const intent = await api(t, actor, 'erin').post('/api/v1/payments/intents', { amount: '15', payeeUserId: 'frank', metadata: { durationSeconds: 60 } });
    expect(intent.status).toBe(202);
    expect((await api(t, actor, 'erin').post('/api/v1/wallet/transfer', { to: getAddress(`0x${'22'.repeat(20)}`), amount: '5' })).status).toBe(202);
    const res = await api(t, actor, 'erin').get('/api/v1/wallet/balances');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      address,
      balances: [{ token: actor.client.tokenAddress, symbol: expect.any(String), balance: '50', pending: '20', available: '30' }],
    });
    expect(parseEther(res.body.balances[0].available)).toBe(parseEther('30'));
    expectError(await api(t, actor, 'nobody').get('/api/v1/wallet/balances'), 404, 'WALLET_NOT_FOUND');
  });
});
