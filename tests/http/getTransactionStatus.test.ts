import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, requestMint, waitForTerminal, type Actor } from '../support/operations.js';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp({ worker: true });
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const get = (id: string, who = actor) => api(t, who).get(`/api/v1/transactions/${encodeURIComponent(id)}`);

describe('GET /api/v1/transactions/{transactionId}', () => {
  it('reports an active transaction with Retry-After and no-store, a terminal one as immutable and varying on Authorization', async () => {
    const res = await requestMint(t, actor, 'status-user', { receiptId: 'status-1', amountWei: 1n });
    const early = await get(res.body.transactionId);
    expect(early.status).toBe(200);
    if (['ACCEPTED', 'SUBMITTING'].includes(early.body.status)) expect(early.headers['retry-after']).toBe('1');
    if (early.body.status === 'SUBMITTED') expect(early.headers['retry-after']).toBe('3');
    if (!['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'].includes(early.body.status)) expect(early.headers['cache-control']).toBe('no-store');
    await waitForTerminal(t, actor, res.body.transactionId);
    const done = await get(res.body.transactionId);
    expect(done.headers['cache-control']).toBe('public, max-age=300, immutable');
    // A shared cache may keep it, but must not hand it to a request with another Authorization.
    expect(done.headers.vary).toBe('Authorization');
    expect(done.headers['retry-after']).toBeUndefined();
    expect(done.body).toEqual({
      transactionId: res.body.transactionId,
      status: 'CONFIRMED',
      type: 'mint',
      userOpHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      blockNumber: expect.any(Number),
      includedBlock: { number: done.body.blockNumber, hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) },
      reorgedAt: null,
      gasUsed: expect.stringMatching(/^\d+$/),
      gasCostWei: expect.stringMatching(/^\d+$/),
      error: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      history: [
        { status: 'ACCEPTED', at: expect.any(String), reason: expect.any(String) },
        { status: 'SUBMITTING', at: expect.any(String), reason: expect.any(String) },
        { status: 'SUBMITTED', at: expect.any(String), reason: expect.any(String) },
        { status: 'CONFIRMED', at: expect.any(String), reason: expect.any(String) },
      ],
    });
  });

  it('reports each status with its Retry-After (rows written directly)', async () => {
    const { rows } = await t.ctx.pool.query<{ id: string }>(`select id from transactions limit 1`);
    for (const [status, retryAfter] of [
      ['ACCEPTED', '1'],
      ['SUBMITTING', '1'],
      ['SUBMITTED', '3'],
    ] as const) {
      await t.ctx.pool.query(`update transactions set status = $1 where id = $2`, [status, rows[0].id]);
      const res = await get(rows[0].id);
      expect([res.body.status, res.headers['retry-after'], res.headers['cache-control']]).toEqual([status, retryAfter, 'no-store']);
    }
    await t.ctx.pool.query(`update transactions set status = 'CONFIRMED' where id = $1`, [rows[0].id]);
  });

  it.each([
    ['no tx_ prefix', 'abc123'],
    ['more than 32 characters', `tx_${'a'.repeat(30)}`],
    ['upper-case or symbols', 'tx_ABC-123'],
  ])('answers an id with %s with 400 { error: INVALID_TRANSACTION_ID, message, code }', async (_name, id) => {
    const res = await get(id);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'INVALID_TRANSACTION_ID', message: expect.any(String), code: 'INVALID_TRANSACTION_ID' });
  });

  it("answers another client's transaction and an unknown id alike with 404 TRANSACTION_NOT_FOUND", async () => {
    const res = await requestMint(t, actor, 'status-user-2', { receiptId: 'status-2', amountWei: 1n });
    const other = await createMintingClient(t);
    const theirs = await get(res.body.transactionId, other);
    const unknown = await get('tx_01aaaaaaaaaaaaaaaaaaaaaaaa');
    for (const r of [theirs, unknown]) {
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: 'TRANSACTION_NOT_FOUND', code: 'TRANSACTION_NOT_FOUND', message: expect.stringContaining('not found') });
    }
    await waitForTerminal(t, actor, res.body.transactionId);
  });

  it('needs a valid token but no particular scope', async () => {
    const res = await requestMint(t, actor, 'status-user-3', { receiptId: 'status-3', amountWei: 1n });
    const bare = await t.createClient({ scopes: [] });
    const reader = { ...actor, token: await t.tokenFor(bare) };
    expect((await get(res.body.transactionId, reader)).status).toBe(404);
    await waitForTerminal(t, actor, res.body.transactionId);
  });
});
