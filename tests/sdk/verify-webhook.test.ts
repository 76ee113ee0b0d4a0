// Chronos.verifyWebhook against real deliveries: accepted as sent, refused when tampered with or
// signed with another secret, and accepted with either secret while a rotation overlaps.
import { Chronos, ChronosError } from '../../sdk/src/index.js';
import { rotateWebhookSecret } from '../../src/admin/clients.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import request from 'supertest';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

/** Asks Chronos for a test delivery to `path` and returns it as the receiver got it. */
async function deliveryTo(path: string, client: Awaited<ReturnType<TestApp['createClient']>>) {
  const token = await t.tokenFor(client);
  const res = await request(t.app).post('/api/v1/webhooks/test').set('Authorization', `Bearer ${token}`);
  expect(res.status).toBe(202);
  const [delivery] = await receiver.waitFor(1, { path, timeoutMs: 30_000 });
  return delivery;
}

describe('Chronos.verifyWebhook', () => {
  it('returns the typed event of a real delivery and refuses a tampered one', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/plain') });
    const delivery = await deliveryTo('/plain', client);

    const event = Chronos.verifyWebhook(delivery.body, delivery.headers, client.webhookSecret);
    expect(event.event).toBe('webhook.test');
    expect(event.id).toBe(delivery.headers['webhook-id']);

    const tampered = delivery.body.replace('"webhook.test"', '"transaction.confirmed"');
    expect(tampered).not.toBe(delivery.body);
    const refused = (() => {
      try {
        Chronos.verifyWebhook(tampered, delivery.headers, client.webhookSecret);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ChronosError);
    expect(refused).toMatchObject({ code: 'INVALID_WEBHOOK_SIGNATURE' });
    const other = await t.createClient();
    expect(() => Chronos.verifyWebhook(delivery.body, delivery.headers, other.webhookSecret)).toThrow(ChronosError);
    // A Buffer body and fetch-style Headers verify the same.
    expect(Chronos.verifyWebhook(Buffer.from(delivery.body), new Headers(delivery.headers as Record<string, string>), client.webhookSecret).id).toBe(event.id);
  });

  it('accepts a delivery signed during a rotation with the old secret or the new one', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/rotating') });
    const { webhookSecret: newSecret } = await rotateWebhookSecret(t.ctx.db, client.clientId);
    const delivery = await deliveryTo('/rotating', client);
    expect(String(delivery.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(Chronos.verifyWebhook(delivery.body, delivery.headers, client.webhookSecret).event).toBe('webhook.test');
    expect(Chronos.verifyWebhook(delivery.body, delivery.headers, newSecret).event).toBe('webhook.test');
    expect(Chronos.verifyWebhook(delivery.body, delivery.headers, [newSecret, client.webhookSecret]).event).toBe('webhook.test');
  });
});
