// An own paymaster whose deposit cannot pay for an operation: the operation waits ACCEPTED with the
// reason in its history (once), /readyz says degraded and the deposit gauge reads 0; after
// `chronos paymaster deposit` it proceeds by itself to CONFIRMED, paid from the new deposit, and
// readiness is back to ready.
import request from 'supertest';
import { createPublicClient, http, parseEther, type Address } from 'viem';
import { chronosPaymasterAbi } from '../../src/chain/contracts/abi.js';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WAITING_FOR_DEPOSIT } from '../../src/jobs/wait-for-deposit.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, requestMint, waitForTerminal, type Actor } from '../support/operations.js';
import { deployTestPaymaster } from '../support/paymasters.js';
import { runChronosCli } from '../support/cli.js';
import { TEST_DEPLOYER_PRIVATE_KEY } from '../support/stack.js';
import { testStackEnv } from '../support/stack-env.js';

const stack = testStackEnv();
const chain = createPublicClient({ transport: http(stack.rpcUrl) });
let paymaster: Address;
let t: TestApp;
let actor: Actor;

const deposit = () => chain.readContract({ address: paymaster, abi: chronosPaymasterAbi, functionName: 'getDeposit' });
const transaction = async (id: string) => (await api(t, actor).get(`/api/v1/transactions/${id}`)).body;

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  paymaster = await deployTestPaymaster();
  t = await createTestApp({ worker: true, env: { PAYMASTER_ADDRESS: paymaster } });
  actor = await createMintingClient(t);
});
afterAll(() => t?.close());

describe('an operation the paymaster deposit cannot cover', () => {
  it('waits ACCEPTED with the reason in its history, then proceeds after a deposit', async () => {
    expect(await deposit()).toBe(0n);
    const res = await requestMint(t, actor, 'waits-for-deposit', { receiptId: 'deposit-1', amountWei: 5n });
    expect(res.status).toBe(202);
    const id = res.body.transactionId;

    const waiting = await until(
      'the waiting note',
      () => transaction(id),
      (tx) => tx.history.some((h: { reason: string }) => h.reason === WAITING_FOR_DEPOSIT),
    );
    expect(waiting.status).toBe('ACCEPTED');
    expect(waiting.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'ACCEPTED']);

    const readyz = await request(t.app).get('/readyz');
    expect(readyz.status).toBe(200);
    expect(readyz.body).toMatchObject({ status: 'degraded', checks: { sponsorship: 'ok', deposit: expect.stringMatching(/^low: empty/) } });
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.text).toMatch(/^chronos_paymaster_deposit_wei 0$/m);

    // Still waiting a few polls later, and noted once, not once per poll.
    await new Promise((r) => setTimeout(r, 5_000));
    const still = await transaction(id);
    expect(still.status).toBe('ACCEPTED');
    expect(still.history.filter((h: { reason: string }) => h.reason === WAITING_FOR_DEPOSIT)).toHaveLength(1);

    // The way an operator tops it up.
    const topUp = await runChronosCli(
      ['paymaster', 'deposit', '1', '--json'],
      { PAYMASTER_ADDRESS: paymaster, RPC_URL: stack.rpcUrl, CHAIN_ID: String(stack.chainId), DEPLOYER_PRIVATE_KEY: TEST_DEPLOYER_PRIVATE_KEY },
      { cwd: await mkdtemp(join(tmpdir(), 'chronos-deposit-')) },
    );
    expect({ code: topUp.code, stderr: topUp.stderr }).toEqual({ code: 0, stderr: '' });
    const done = await waitForTerminal(t, actor, id);
    expect({ status: done.status, error: done.error }).toEqual({ status: 'CONFIRMED', error: null });
    expect(done.history.map((h: { status: string }) => h.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'SUBMITTING', 'SUBMITTED', 'CONFIRMED']);
    expect(await deposit()).toBe(parseEther('1') - BigInt(done.gasCostWei));

    // The cover is re-read every few seconds: ready again once it sees the deposit.
    const ready = await until(
      'readiness',
      async () => (await request(t.app).get('/readyz')).body,
      (body) => body.status === 'ready',
    );
    expect(ready.checks).toMatchObject({ sponsorship: 'ok', deposit: 'ok' });
  });
});
