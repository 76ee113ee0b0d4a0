// X-User-Id names whose wallet is used, so it must not be forgeable through header syntax. Node's HTTP
// client refuses to send CR, LF or NUL in a header, so these requests are written on a raw socket
// against the production server (startApi). And a user id is data: stored, logged and sent in
// webhooks exactly as given, never interpreted (no SQL, template, wildcard or prototype meaning).
import request from 'supertest';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { startApi, type RunningApi } from '../../src/runtime/services.js';
import { endTransaction } from '../webhooks/support/deliveries.js';
import { captureLogs } from './support/captured-logs.js';
import { sendRaw } from './support/raw-http.js';
import { countWrites, difference, NO_WRITES } from './support/write-counts.js';

const logs = captureLogs();
let t: TestApp;
let client: TestClient;
let token: string;
let server: RunningApi;

beforeAll(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'debug' }, logDestination: logs.destination });
  client = await t.createClient({ webhookUrl: 'http://127.0.0.1:9/hooks' });
  token = await t.tokenFor(client);
  server = await startApi(t.ctx, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

const walletOwners = async () =>
  (await t.ctx.db.selectFrom('wallets').select('user_id').where('client_id', '=', client.clientId).execute()).map((w) => w.user_id);
const createWalletRaw = (userIdHeaderLines: string) =>
  sendRaw(server.url, ['POST /api/v1/wallet/create HTTP/1.1', 'Host: chronos.test', `Authorization: Bearer ${token}`, userIdHeaderLines].join('\r\n'));

describe('on the wire', () => {
  it('a CR LF inside the value ends the header: what follows is a header of its own, never part of the user id', async () => {
    const answer = await createWalletRaw('X-User-Id: carol\r\nX-Injected: 1');
    expect(answer.status).toBe(200);
    expect(await walletOwners()).toContain('carol');
    expect((await walletOwners()).filter((id) => id.includes('Injected'))).toEqual([]);
  });

  it.each([
    ['a second X-User-Id smuggled in with CR LF', 'X-User-Id: alice\r\nX-User-Id: mallory', 400, 'VALIDATION_ERROR'],
    ['an obs-fold continuation line', 'X-User-Id: alice\r\n mallory', 400, 'VALIDATION_ERROR'],
    ['an obs-fold continuation line starting with a tab', 'X-User-Id: alice\r\n\tX-User-Id: mallory', 400, 'VALIDATION_ERROR'],
    ['a bare LF', 'X-User-Id: alice\nX-User-Id: mallory', 400, 'VALIDATION_ERROR'],
    ['a bare CR', 'X-User-Id: alice\rX-User-Id: mallory', 400, 'VALIDATION_ERROR'],
    ['a NUL byte', 'X-User-Id: alice\u0000mallory', 400, 'VALIDATION_ERROR'],
    ['a value beyond the 16 KiB header limit', `X-User-Id: ${'m'.repeat(17 * 1024)}`, 431, 'HEADERS_TOO_LARGE'],
  ])('refuses %s with a JSON error and creates no wallet', async (_name, lines, status, code) => {
    const before = await countWrites(t.ctx.db);
    const answer = await createWalletRaw(lines);
    expect({ status: answer.status, code: answer.json?.code, type: answer.headers['content-type'] }).toEqual({
      status,
      code,
      type: expect.stringMatching(/^application\/json/),
    });
    expect(typeof answer.json?.error).toBe('string');
    expect(difference(await countWrites(t.ctx.db), before)).toEqual(NO_WRITES);
    expect(await walletOwners()).not.toContain('mallory');
  });

  it('refuses two X-User-Id headers sent by an ordinary client too (Node would join them into "alice, mallory")', async () => {
    const res = await request(t.app)
      .post('/api/v1/wallet/create')
      .set('Authorization', `Bearer ${token}`)
      .set('X-User-Id', ['alice', 'mallory'] as unknown as string);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'VALIDATION_ERROR' });
    expect(await walletOwners()).not.toContain('alice, mallory');
  });
});

describe('a user id is stored, logged and sent verbatim', () => {
  const HOSTILE_IDS = [
    "' OR '1'='1",
    '"; DROP TABLE wallets; --',
    '${7*7}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '%0d%0aX-Injected:%201',
    '\\u0000',
    '__proto__',
    'constructor',
    'a"b\\c',
    '../../etc/passwd',
    '%',
    '_',
    '*',
    'ALICE',
    'alice',
  ];

  it('gives each its own wallet and finds it again by exactly that id', async () => {
    const addresses = new Map<string, string>();
    for (const id of HOSTILE_IDS) {
      const res = await request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${token}`).set('X-User-Id', id);
      expect(res.status).toBe(200);
      addresses.set(id, res.body.address);
    }
    expect(new Set(addresses.values()).size).toBe(HOSTILE_IDS.length);
    const stored = await t.ctx.db.selectFrom('wallets').select(['user_id', 'address']).where('client_id', '=', client.clientId).execute();
    for (const id of HOSTILE_IDS) expect(stored.filter((w) => w.user_id === id).map((w) => w.address)).toEqual([addresses.get(id)]);
    // Asking again, by the same id, finds that wallet and no other (no wildcard or prototype lookup).
    for (const id of HOSTILE_IDS) {
      const again = await request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${token}`).set('X-User-Id', id);
      expect(again.body).toEqual({ address: addresses.get(id), isNew: false });
    }
  });

  it('carries it unchanged in webhook payloads', async () => {
    for (const id of HOSTILE_IDS) {
      const { transactionId } = await endTransaction(t.ctx.db, { clientId: client.clientId, userId: id });
      const event = await t.ctx.db.selectFrom('webhook_events').select('body').where('transaction_id', '=', transactionId).executeTakeFirstOrThrow();
      const body = typeof event.body === 'string' ? JSON.parse(event.body) : event.body;
      expect(body.data.userId).toBe(id);
    }
  });

  it('logs it as one JSON string value, never breaking or forging a log line', async () => {
    for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    const logged = logs.lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'request' && entry.route === '/api/v1/wallet/create');
    for (const id of HOSTILE_IDS) expect(logged.some((entry) => entry.userId === id)).toBe(true);
    expect(logs.lines.some((line) => /^\s*X-Injected/.test(line))).toBe(false);
  });
});
