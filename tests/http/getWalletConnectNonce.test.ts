// GET /api/v1/wallets/connect/nonce against the real stack: what the issued message binds, and the
// bound on a user's open messages. (Connecting with it: connectWallet.test.ts.)
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { parseSiweMessage } from 'viem/siwe';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, type Actor } from '../support/operations.js';
import { issueNonce } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ env: { SIWE_URI: 'https://app.chronos.test/link', SIWE_MAX_OPEN_NONCES: '3' } });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const newAddress = () => privateKeyToAccount(generatePrivateKey()).address;

describe('GET /api/v1/wallets/connect/nonce', () => {
  it('binds the message to SIWE_URI (its host as the domain), the chain, a fresh nonce and the client and user', async () => {
    const address = newAddress();
    const [one, two] = [await issueNonce(t, actor, 'alice', address), await issueNonce(t, actor, 'alice', address)];
    expect(one.nonce).not.toBe(two.nonce);
    expect(parseSiweMessage(one.message)).toMatchObject({
      domain: 'app.chronos.test',
      uri: 'https://app.chronos.test/link',
      chainId: t.config.chain.chainId,
      address,
      nonce: one.nonce,
      resources: [`urn:chronos:client:${actor.client.clientId}:user:alice`],
    });
    const row = await t.ctx.db.selectFrom('wallet_link_nonces').selectAll().where('nonce', '=', one.nonce).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ client_id: actor.client.clientId, user_id: 'alice', address: address.toLowerCase(), message: one.message, used_at: null });
    expect(row.expires_at.toISOString()).toBe(one.expiresAt);
  });

  it('keeps at most SIWE_MAX_OPEN_NONCES open per user, dropping the oldest', async () => {
    const address = newAddress();
    const issued = [];
    for (let i = 0; i < 5; i++) issued.push(await issueNonce(t, actor, 'bob', address));
    const open = await t.ctx.db.selectFrom('wallet_link_nonces').select('nonce').where('user_id', '=', 'bob').orderBy('issued_at').execute();
    expect(open.map((r) => r.nonce)).toEqual(issued.slice(2).map((n) => n.nonce));
  });

  it('refuses a malformed or missing address', async () => {
    expectError(await api(t, actor, 'alice').get('/api/v1/wallets/connect/nonce?address=0x1234'), 400, 'VALIDATION_ERROR');
    expectError(await api(t, actor, 'alice').get('/api/v1/wallets/connect/nonce'), 400, 'VALIDATION_ERROR');
  });
});
