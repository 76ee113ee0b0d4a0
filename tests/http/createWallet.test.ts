import request from 'supertest';
import { parseAbi, getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { deriveOwnerPrivateKey } from '../../src/accounts/derive-owner.js';

const factoryAbi = parseAbi(['function getAddress(address owner, uint256 salt) view returns (address)']);

let t: TestApp;
let client: TestClient;
let token: string;

beforeAll(async () => {
  t = await createTestApp();
  client = await t.createClient();
  token = await t.tokenFor(client);
});
afterAll(() => t.close());

const create = (userId: string | undefined, bearer = token) => {
  const req = request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${bearer}`);
  return userId === undefined ? req : req.set('X-User-Id', userId);
};

describe('POST /api/v1/wallet/create', () => {
  it('creates the wallet once, then returns the same address with isNew: false', async () => {
    const first = await create('user-1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/), isNew: true });
    const second = await create('user-1');
    expect(second.body).toEqual({ address: first.body.address, isNew: false });
  });

  it("returns the SimpleAccount factory's counterfactual address for the derived owner", async () => {
    const res = await create('user-2');
    const owner = privateKeyToAccount(deriveOwnerPrivateKey(t.config.masterKey, { clientId: client.clientId, userId: 'user-2' }));
    const expected = await t.ctx.publicClient.readContract({
      address: t.config.contracts.accountFactory,
      abi: factoryAbi,
      functionName: 'getAddress',
      args: [owner.address, 0n],
    });
    expect(getAddress(res.body.address)).toBe(expected);
    // Counterfactual: nothing is deployed until the first UserOperation.
    expect(await t.ctx.publicClient.getCode({ address: expected })).toBeUndefined();
  });

  it('derives different wallets for the same user id under different clients', async () => {
    const other = await t.createClient({ name: 'other' });
    const a = await create('shared-user');
    const b = await create('shared-user', await t.tokenFor(other));
    expect(a.body.address).not.toBe(b.body.address);
    expect(b.body.isNew).toBe(true);
  });

  it('derives different owner keys per user and the same key every time for one user', () => {
    const k = (userId: string) => deriveOwnerPrivateKey(t.config.masterKey, { clientId: client.clientId, userId });
    expect(k('a')).toBe(k('a'));
    expect(k('a')).not.toBe(k('b'));
    expect(k('a')).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('creates one record and exactly one isNew: true under 20 concurrent calls', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => create('concurrent-user')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.address)).size).toBe(1);
    expect(results.filter((r) => r.body.isNew === true)).toHaveLength(1);
    const rows = await t.ctx.db.selectFrom('wallets').selectAll().where('client_id', '=', client.clientId).where('user_id', '=', 'concurrent-user').execute();
    expect(rows).toHaveLength(1);
  });

  it('accepts a user id of exactly 256 printable characters', async () => {
    expect((await create('u'.repeat(256))).status).toBe(200);
    expect((await create('user with spaces & symbols !~')).status).toBe(200);
  });

  it.each([
    ['a missing X-User-Id', undefined],
    ['an empty X-User-Id', ''],
    ['an X-User-Id of 257 characters', 'u'.repeat(257)],
    ['an X-User-Id with a tab', 'a\tb'],
    ['an X-User-Id with non-ASCII bytes', 'caf\u00e9'],
  ])('refuses %s with 400 VALIDATION_ERROR and records nothing', async (_name, userId) => {
    const before = await t.ctx.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expectError(await create(userId), 400, 'VALIDATION_ERROR');
    const after = await t.ctx.db
      .selectFrom('wallets')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('refuses a token without the wallet scope', async () => {
    const limited = await t.createClient({ scopes: ['transfer'] });
    expectError(await create('x', await t.tokenFor(limited)), 403, 'FORBIDDEN');
  });
});
