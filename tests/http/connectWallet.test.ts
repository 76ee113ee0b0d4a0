// POST /api/v1/wallets/connect against the real stack: a wallet is linked to the X-User-Id user once
// it has signed, unchanged, the Sign-In-with-Ethereum message Chronos issued to this client for this
// user and address; every other message is refused with a code that says why.
import { getAddress } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createSiweMessage, parseSiweMessage } from 'viem/siwe';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, type Actor } from '../support/operations.js';
import { connect, deployOwnedSigner, issueNonce, linkEoa } from '../support/wallet-links.js';

let t: TestApp;
let actor: Actor;
let other: Actor;

beforeAll(async () => {
  t = await createTestApp();
  actor = await createMintingClient(t, { webhookUrl: 'http://127.0.0.1:9/hooks' });
  other = await createMintingClient(t);
});
afterAll(() => t.close());

const newWallet = () => privateKeyToAccount(generatePrivateKey());
const events = (clientId: string, type: string) =>
  t.ctx.db.selectFrom('webhook_events').select(['body']).where('client_id', '=', clientId).where('event_type', '=', type).execute();

describe('the message it takes, as GET /api/v1/wallets/connect/nonce issues it by default', () => {
  it("is an EIP-4361 message for this deployment's domain and chain, naming the client and user", async () => {
    const wallet = newWallet();
    const issued = await issueNonce(t, actor, 'user one', wallet.address.toLowerCase() as `0x${string}`);
    expect(issued.address).toBe(wallet.address);
    const fields = parseSiweMessage(issued.message);
    expect(fields).toMatchObject({
      domain: t.config.siwe.domain,
      uri: t.config.siwe.uri,
      chainId: t.config.chain.chainId,
      address: wallet.address,
      nonce: issued.nonce,
      version: '1',
      resources: [`urn:chronos:client:${actor.client.clientId}:user:user%20one`],
    });
    expect(fields.statement).toMatch(/^Link this wallet/);
    expect(fields.expirationTime?.toISOString()).toBe(issued.expiresAt);
    expect(fields.expirationTime!.getTime() - fields.issuedAt!.getTime()).toBe(600_000);
  });

  it('refuses a malformed address and a missing X-User-Id', async () => {
    expectError(await api(t, actor, 'alice').get('/api/v1/wallets/connect/nonce?address=0x1234'), 400, 'VALIDATION_ERROR');
    expectError(await api(t, actor).get(`/api/v1/wallets/connect/nonce?address=${newWallet().address}`), 400, 'VALIDATION_ERROR');
  });
});

describe('POST /api/v1/wallets/connect', () => {
  it('links an EOA that signed the message (201), records wallet.connected, and is idempotent for the same user (200)', async () => {
    const wallet = newWallet();
    const res = await linkEoa(t, actor, 'alice', wallet);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ address: wallet.address, userId: 'alice', linkedAt: expect.any(String) });
    const again = await linkEoa(t, actor, 'alice', wallet);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    const recorded = (await events(actor.client.clientId, 'wallet.connected')).map((e) => JSON.parse(e.body));
    expect(recorded.filter((e) => e.data.address === wallet.address)).toEqual([
      { id: expect.stringMatching(/^evt_/), event: 'wallet.connected', timestamp: expect.any(String), data: res.body },
    ]);
  });

  it('links an ERC-1271 contract wallet whose owner signed the message', async () => {
    const owner = newWallet();
    const contract = await deployOwnedSigner(owner.address);
    const { message } = await issueNonce(t, actor, 'carol', contract);
    // The owner's signature is the contract's: verifyMessage asks the contract (isValidSignature).
    const signature = await owner.signMessage({ message });
    const res = await connect(t, actor, 'carol', { address: contract, message, signature });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ address: contract, userId: 'carol' });
    // Another key's signature is not the contract's.
    const next = await issueNonce(t, actor, 'carol', contract);
    expectError(
      await connect(t, actor, 'carol', { address: contract, message: next.message, signature: await newWallet().signMessage({ message: next.message }) }),
      400,
      'INVALID_SIGNATURE',
    );
  });

  it('refuses a replayed message (SIWE_NONCE_USED); of two sent at once exactly one links', async () => {
    const wallet = newWallet();
    const { message } = await issueNonce(t, actor, 'dave', wallet.address);
    const body = { address: wallet.address, message, signature: await wallet.signMessage({ message }) };
    const [a, b] = await Promise.all([connect(t, actor, 'dave', body), connect(t, actor, 'dave', body)]);
    expect([a.status, b.status].sort()).toEqual([201, 400]);
    expectError([a, b].find((r) => r.status === 400)!, 400, 'SIWE_NONCE_USED');
    expectError(await connect(t, actor, 'dave', body), 400, 'SIWE_NONCE_USED');
  });

  it('refuses a message for another domain, URI or chain (SIWE_DOMAIN_MISMATCH)', async () => {
    const wallet = newWallet();
    const issued = await issueNonce(t, actor, 'erin', wallet.address);
    const fields = parseSiweMessage(issued.message);
    const base = {
      ...fields,
      address: wallet.address,
      chainId: fields.chainId!,
      domain: fields.domain!,
      nonce: issued.nonce,
      uri: fields.uri!,
      version: '1' as const,
    };
    for (const change of [{ domain: 'evil.example.org' }, { uri: 'https://evil.example.org/login' }, { chainId: 1 }]) {
      const message = createSiweMessage({ ...base, ...change });
      expectError(
        await connect(t, actor, 'erin', { address: wallet.address, message, signature: await wallet.signMessage({ message }) }),
        400,
        'SIWE_DOMAIN_MISMATCH',
      );
    }
    // None of them used the nonce: the issued message still links.
    const ok = await connect(t, actor, 'erin', {
      address: wallet.address,
      message: issued.message,
      signature: await wallet.signMessage({ message: issued.message }),
    });
    expect(ok.status).toBe(201);
  });

  it("refuses another user's message, another client's, an altered one and an unknown nonce (SIWE_NONCE_INVALID)", async () => {
    const wallet = newWallet();
    const sign = (message: string) => wallet.signMessage({ message });
    const bobs = await issueNonce(t, actor, 'bob', wallet.address);
    expectError(
      await connect(t, actor, 'mallory', { address: wallet.address, message: bobs.message, signature: await sign(bobs.message) }),
      400,
      'SIWE_NONCE_INVALID',
    );
    const otherClients = await issueNonce(t, other, 'bob', wallet.address);
    expectError(
      await connect(t, actor, 'bob', { address: wallet.address, message: otherClients.message, signature: await sign(otherClients.message) }),
      400,
      'SIWE_NONCE_INVALID',
    );
    const altered = bobs.message.replace('Link this wallet', 'Link this other wallet');
    expectError(await connect(t, actor, 'bob', { address: wallet.address, message: altered, signature: await sign(altered) }), 400, 'SIWE_NONCE_INVALID');
    const unknown = bobs.message.replace(bobs.nonce, 'a1b2c3d4e5f6a7b8');
    expectError(await connect(t, actor, 'bob', { address: wallet.address, message: unknown, signature: await sign(unknown) }), 400, 'SIWE_NONCE_INVALID');
    // Bob's own message still links, for bob.
    expect((await connect(t, actor, 'bob', { address: wallet.address, message: bobs.message, signature: await sign(bobs.message) })).status).toBe(201);
  });

  it('refuses a signature by another key (INVALID_SIGNATURE) without using the nonce', async () => {
    const wallet = newWallet();
    const { message } = await issueNonce(t, actor, 'frank', wallet.address);
    expectError(
      await connect(t, actor, 'frank', { address: wallet.address, message, signature: await newWallet().signMessage({ message }) }),
      400,
      'INVALID_SIGNATURE',
    );
    expectError(await connect(t, actor, 'frank', { address: wallet.address, message, signature: '0x1234' }), 400, 'INVALID_SIGNATURE');
    expect((await connect(t, actor, 'frank', { address: wallet.address, message, signature: await wallet.signMessage({ message }) })).status).toBe(201);
  });

  it("refuses an address that is not the message's, and text that is no SIWE message (VALIDATION_ERROR)", async () => {
    const wallet = newWallet();
    const { message } = await issueNonce(t, actor, 'gina', wallet.address);
    const signature = await wallet.signMessage({ message });
    expectError(await connect(t, actor, 'gina', { address: newWallet().address, message, signature }), 400, 'VALIDATION_ERROR');
    expectError(await connect(t, actor, 'gina', { address: wallet.address, message: 'Sign this message to authenticate', signature }), 400, 'VALIDATION_ERROR');
  });

  it("refuses an address another of the client's users linked (409); another client may link it", async () => {
    const wallet = newWallet();
    expect((await linkEoa(t, actor, 'henry', wallet)).status).toBe(201);
    expectError(await linkEoa(t, actor, 'ivy', wallet), 409, 'WALLET_ALREADY_LINKED');
    const elsewhere = await linkEoa(t, other, 'ivy', wallet);
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.userId).toBe('ivy');
  });

  it("drops a user's oldest open message past SIWE_MAX_OPEN_NONCES", async () => {
    const wallet = newWallet();
    const first = await issueNonce(t, actor, 'jack', wallet.address);
    for (let i = 0; i < t.config.siwe.maxOpenNonces; i++) await issueNonce(t, actor, 'jack', wallet.address);
    const signature = await wallet.signMessage({ message: first.message });
    expectError(await connect(t, actor, 'jack', { address: wallet.address, message: first.message, signature }), 400, 'SIWE_NONCE_INVALID');
    const open = await t.ctx.db
      .selectFrom('wallet_link_nonces')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('client_id', '=', actor.client.clientId)
      .where('user_id', '=', 'jack')
      .executeTakeFirstOrThrow();
    expect(Number(open.n)).toBe(t.config.siwe.maxOpenNonces);
  });
});

describe('an expired message', () => {
  let short: TestApp;
  let shortActor: Actor;
  beforeAll(async () => {
    short = await createTestApp({ env: { SIWE_NONCE_TTL_SECONDS: '1', SIWE_DOMAIN: 'app.chronos.test' } });
    shortActor = await createMintingClient(short);
  });
  afterAll(() => short.close());

  it('is refused with SIWE_MESSAGE_EXPIRED', async () => {
    const wallet = newWallet();
    const { message, expiresAt } = await issueNonce(short, shortActor, 'kim', wallet.address);
    expect(parseSiweMessage(message)).toMatchObject({ domain: 'app.chronos.test', uri: 'https://app.chronos.test' });
    await new Promise((r) => setTimeout(r, new Date(expiresAt).getTime() - Date.now() + 50));
    expectError(
      await connect(short, shortActor, 'kim', { address: getAddress(wallet.address), message, signature: await wallet.signMessage({ message }) }),
      400,
      'SIWE_MESSAGE_EXPIRED',
    );
  });
});
