// POST /api/v1/webhooks/test
import request from 'supertest';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const sendTest = async (client: TestClient) =>
  request(t.app)
    .post('/api/v1/webhooks/test')
    .set('Authorization', `Bearer ${await t.tokenFor(client)}`);

describe('POST /api/v1/webhooks/test', () => {
  it('sends a signed webhook.test event to the client URL and records the delivery', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/test-event'), scopes: ['wallet'] });
    const res = await sendTest(client);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ success: true, data: { delivery: expect.objectContaining({ eventType: 'webhook.test', status: 'PENDING', attemptCount: 0 }) } });

    const [received] = await receiver.waitFor(1, { path: '/test-event' });
    expect(verifyWebhook(received, client.webhookSecret)).toEqual({
      id: res.body.data.delivery.eventId,
      event: 'webhook.test',
      timestamp: expect.any(String),
      data: { clientId: client.clientId, message: expect.any(String) },
    });

    await waitForSettled(t.ctx.db, res.body.data.delivery.id);
    const listed = await request(t.app)
      .get('/api/v1/webhooks/deliveries')
      .query({ eventType: 'webhook.test' })
      .set('Authorization', `Bearer ${await t.tokenFor(client)}`);
    expect(listed.body.data.deliveries).toEqual([
      expect.objectContaining({
        id: res.body.data.delivery.id,
        status: 'DELIVERED',
        attemptCount: 1,
        lastResponseStatus: 200,
        lastResponseTimeMs: expect.any(Number),
        errorMessage: null,
        deliveredAt: expect.any(String),
        lastAttemptAt: expect.any(String),
      }),
    ]);
  });

  it('answers 400 WEBHOOK_NOT_CONFIGURED when the client has no webhook URL', async () => {
    expectError(await sendTest(await t.createClient()), 400, 'WEBHOOK_NOT_CONFIGURED');
  });

  it('answers 401 without a valid token', async () => {
    expectError(await request(t.app).post('/api/v1/webhooks/test'), 401, 'UNAUTHORIZED');
  });
});
