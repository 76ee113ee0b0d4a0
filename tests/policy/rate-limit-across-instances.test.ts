// README, Processes and roles / Rate limits: any number of API processes share one database, and a client's limit holds across
// all of them — concurrent requests spread over two processes never get more than the limit through.
import type { Server } from 'node:http';
import request from 'supertest';
import { createPeerApp, createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let peer: ReturnType<typeof createPeerApp>;
let servers: Server[];

beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '' } });
  peer = createPeerApp(t);
  servers = [t.app.listen(0), peer.app.listen(0)];
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await peer.close();
  await t.close();
});

/** Fires `count` requests at once, alternating between the two processes; returns their statuses. */
async function burst(count: number, send: (server: Server, i: number) => request.Test): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: count }, (_, i) => send(servers[i % 2], i)));
  return responses.map((r) => r.status);
}

describe('two API processes on one database', () => {
  it('let exactly the general limit through between them', async () => {
    const token = await t.tokenFor(await t.createClient({ rateLimits: { general: 20 } }));
    const statuses = await burst(60, (server) =>
      request(server).get('/api/v1/transactions/tx_00000000000000000000000000').set('Authorization', `Bearer ${token}`),
    );
    expect(statuses.filter((s) => s === 404)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
  });

  it('let exactly the minting limit through between them', async () => {
    const token = await t.tokenFor(await t.createClient());
    const statuses = await burst(30, (server) =>
      request(server)
        .post('/api/v1/mint/prepare')
        .set('Authorization', `Bearer ${token}`)
        .set('X-User-Id', 'u1')
        .send({ receiptId: 'r1', userAddress: '0x00000000000000000000000000000000000000aa' }),
    );
    expect(statuses.filter((s) => s !== 429)).toHaveLength(10);
  });

  // Only failures count against the auth limit (a token issued gives its count back: tests/policy/auth-brute-force),
  // so a burst of wrong secrets is what shows the limit shared: exactly 5 are answered, the rest refused.
  it('let exactly the auth limit of failed token requests for one clientId through between them', async () => {
    const client = await t.createClient();
    const statuses = await burst(16, (server) => request(server).post('/api/v1/auth/token').send({ clientId: client.clientId, clientSecret: 'sk_wrong' }));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(11);
  });
});
