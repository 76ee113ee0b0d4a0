// POST /api/v1/payments/withdrawals against the real stack: a transfer to an external address, checked
// against the client's destination allowlist and its per-user value limit, both set with the CLI.
import { getAddress, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { runChronosCli } from '../support/cli.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { balanceOf } from '../payments/support.js';
import { linkEoa } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  // No client cache: a setting the CLI changes is in effect for the next request.
  t = await createTestApp({ worker: true, clientCacheTtlMs: 0 });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const newAddress = () => getAddress(privateKeyToAccount(generatePrivateKey()).address);
const withdraw = (userId: string, body: object) => api(t, actor, userId).post('/api/v1/payments/withdrawals', body);
const chronos = (...args: string[]) => runChronosCli(args, t.env);

describe('POST /api/v1/payments/withdrawals', () => {
  it('sends the tokens to the external address as its own operation type', async () => {
    await createWallet(t, actor, 'alice');
    await fund(t, actor, 'alice', '50');
    const to = newAddress();
    const res = await withdraw('alice', { amount: '20', to, chain: t.config.chain.chainId, token: actor.client.tokenAddress });
    expect(res.status).toBe(202);
    expect(await waitForTerminal(t, actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'withdrawal' });
    expect(await balanceOf(t, actor, to)).toBe(parseEther('20'));
    expectError(await withdraw('alice', { amount: '31', to }), 400, 'INSUFFICIENT_BALANCE');
    expectError(await withdraw('alice', { amount: '1', to, chain: 1 }), 400, 'VALIDATION_ERROR');
    expectError(await withdraw('alice', { amount: '1', to: '0x0000000000000000000000000000000000000000' }), 400, 'VALIDATION_ERROR');
  });

  it('refuses a destination off the allowlist (403) and accepts one on it, until the list is lifted', async () => {
    await createWallet(t, actor, 'bob');
    await fund(t, actor, 'bob', '10');
    const allowed = newAddress();
    const set = await chronos('clients', 'set-withdrawal-allowlist', actor.client.clientId, allowed.toLowerCase(), '--json');
    expect(set.code).toBe(0);
    expect(set.json.withdrawalAllowlist).toEqual([allowed]);

    const elsewhere = newAddress();
    expectError(await withdraw('bob', { amount: '1', to: elsewhere }), 403, 'WITHDRAWAL_DESTINATION_NOT_ALLOWED');
    const rows = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', 'bob').where('type', '=', 'withdrawal').execute();
    expect(rows).toEqual([]);
    const ok = await withdraw('bob', { amount: '1', to: allowed });
    expect(ok.status).toBe(202);
    expect(await waitForTerminal(t, actor, ok.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });

    const lifted = await chronos('clients', 'set-withdrawal-allowlist', actor.client.clientId, '-', '--json');
    expect(lifted.json.withdrawalAllowlist).toBeNull();
    expect((await withdraw('bob', { amount: '1', to: elsewhere })).status).toBe(202);
    const bad = await chronos('clients', 'set-withdrawal-allowlist', actor.client.clientId, '0x1234');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not an address/);
  });

  it("answers 429 over the user's limit for the period, with Retry-After to its end; concurrent requests cannot pass it together", async () => {
    await createWallet(t, actor, 'carol');
    await fund(t, actor, 'carol', '100');
    const set = await chronos('clients', 'set-withdrawal-limit', actor.client.clientId, '10/daily', '--json');
    expect(set.code).toBe(0);
    expect(set.json.withdrawalLimit).toEqual({ amountWei: parseEther('10').toString(), period: 'daily' });

    const to = newAddress();
    const first = await withdraw('carol', { amount: '6', to });
    expect(first.status).toBe(202);
    const over = await withdraw('carol', { amount: '5', to });
    expectError(over, 429, 'WITHDRAWAL_LIMIT_EXCEEDED');
    const nextDay = Math.ceil((Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) / 1000);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(nextDay + 1);

    // 4 left: of four concurrent 1.5-token withdrawals, exactly two fit.
    const racing = await Promise.all(Array.from({ length: 4 }, () => withdraw('carol', { amount: '1.5', to })));
    expect(racing.map((r) => r.status).sort()).toEqual([202, 202, 429, 429]);
    // Another user of the client has their own limit.
    await createWallet(t, actor, 'dave');
    await fund(t, actor, 'dave', '20');
    const daves = await withdraw('dave', { amount: '10', to });
    expect(daves.status).toBe(202);

    // carol is at 9 of 10 once hers are CONFIRMED: 1 more fits, 1 wei beyond it does not.
    for (const r of [first, daves, ...racing.filter((x) => x.status === 202)])
      expect(await waitForTerminal(t, actor, r.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceOf(t, actor, to)).toBe(parseEther('19'));
    expect((await withdraw('carol', { amount: '1', to })).status).toBe(202);
    expectError(await withdraw('carol', { amount: '0.000000000000000001', to }), 429, 'WITHDRAWAL_LIMIT_EXCEEDED');

    const lifted = await chronos('clients', 'set-withdrawal-limit', actor.client.clientId, '-', '--json');
    expect(lifted.json.withdrawalLimit).toBeNull();
    expect((await withdraw('carol', { amount: '5', to })).status).toBe(202);
    const bad = await chronos('clients', 'set-withdrawal-limit', actor.client.clientId, '10/yearly');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/daily, weekly, monthly/);
  });

  it("with set-withdrawal-destinations linked, refuses any address but the user's linked wallets (403), until set back to any", async () => {
    await createWallet(t, actor, 'erin');
    await fund(t, actor, 'erin', '10');
    const linked = privateKeyToAccount(generatePrivateKey());
    expect((await linkEoa(t, actor, 'erin', linked)).status).toBe(201);
    const someoneElses = privateKeyToAccount(generatePrivateKey());
    expect((await linkEoa(t, actor, 'frank', someoneElses)).status).toBe(201);
    const set = await chronos('clients', 'set-withdrawal-destinations', actor.client.clientId, 'linked', '--json');
    expect(set.code).toBe(0);
    expect(set.json.withdrawalDestinations).toBe('linked');
    const shown = await chronos('clients', 'show', actor.client.clientId, '--json');
    expect(shown.json.withdrawalDestinations).toBe('linked');

    expectError(await withdraw('erin', { amount: '1', to: newAddress() }), 403, 'WITHDRAWAL_DESTINATION_NOT_LINKED');
    // Linked, but by another user: not erin's.
    expectError(await withdraw('erin', { amount: '1', to: someoneElses.address }), 403, 'WITHDRAWAL_DESTINATION_NOT_LINKED');
    const ok = await withdraw('erin', { amount: '2', to: linked.address.toLowerCase() });
    expect(ok.status).toBe(202);
    expect(await waitForTerminal(t, actor, ok.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await balanceOf(t, actor, linked.address)).toBe(parseEther('2'));

    const back = await chronos('clients', 'set-withdrawal-destinations', actor.client.clientId, 'any', '--json');
    expect(back.json.withdrawalDestinations).toBe('any');
    expect((await withdraw('erin', { amount: '1', to: newAddress() })).status).toBe(202);
    const bad = await chronos('clients', 'set-withdrawal-destinations', actor.client.clientId, 'some');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/any, linked/);
  });
});
