// POST /api/v1/webhooks/deliveries/{deliveryId}/redeliver
import request from 'supertest';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { setWebhook } from '../../src/admin/clients.js';
import { insertWebhookDelivery, insertWebhookEvent } from '../../src/db/webhooks.js';
import { newDeliveryId, newEventId, toTestEvent } from '../../src/webhooks/events.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { endTransaction, findDelivery, waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_BASE_MS: '20', WEBHOOK_MAX_ATTEMPTS: '2' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const redeliver = async (client: TestClient, deliveryId: string) =>
  request(t.app)
    .post(`/api/v1/webhooks/deliveries/${deliveryId}/redeliver`)
    .set('Authorization', `Bearer ${await t.tokenFor(client)}`);

/** A delivery with no job behind it: it stays PENDING. */
async function idleDelivery(client: TestClient): Promise<string> {
  return t.ctx.db.transaction().execute(async (trx) => {
    const envelope = toTestEvent({ eventId: newEventId(), clientId: client.clientId });
    const event = await insertWebhookEvent(trx, { id: envelope.id, clientId: client.clientId, eventType: envelope.event, body: JSON.stringify(envelope) });
    return (await insertWebhookDelivery(trx, { id: newDeliveryId(), event })).id;
  });
}

describe('POST /api/v1/webhooks/deliveries/{deliveryId}/redeliver', () => {
  it('queues a new delivery of the same event: same body and webhook-id, fresh signature; the original keeps its history', async () => {
    let up = false;
    receiver.answerOn('/again', () => ({ status: up ? 200 : 500 }));
    const client = await t.createClient({ webhookUrl: receiver.url('/again') });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    const failed = await waitForSettled(t.ctx.db, deliveryId!);
    expect(failed.delivery).toMatchObject({ status: 'FAILED', attempt_count: 2 });

    up = true;
    const res = await redeliver(client, deliveryId!);
    expect(res.status).toBe(202);
    const queued = res.body.data.delivery;
    expect(res.body).toEqual({ success: true, data: { delivery: expect.objectContaining({ status: 'PENDING', attemptCount: 0, maxAttempts: 2 }) } });
    expect(queued.id).not.toBe(deliveryId);
    expect(queued).toMatchObject({ eventId: failed.delivery.event_id, eventType: 'transaction.confirmed' });

    const { delivery } = await waitForSettled(t.ctx.db, queued.id);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1, redelivery_of: deliveryId });
    expect(await findDelivery(t.ctx.db, deliveryId!)).toMatchObject({ status: 'FAILED', attempt_count: 2 });
    const requests = receiver.received.filter((r) => r.path === '/again');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(verifyWebhook(requests[2], client.webhookSecret).id).toBe(failed.delivery.event_id);

    const listed = await request(t.app)
      .get('/api/v1/webhooks/deliveries')
      .set('Authorization', `Bearer ${await t.tokenFor(client)}`);
    expect(listed.body.data.deliveries.map((d: { id: string; status: string }) => [d.id, d.status])).toEqual([
      [queued.id, 'DELIVERED'],
      [deliveryId, 'FAILED'],
    ]);
  });

  it('can redeliver a delivered one too (e.g. the receiver lost it)', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/lost') });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    await waitForSettled(t.ctx.db, deliveryId!);
    const res = await redeliver(client, deliveryId!);
    expect(res.status).toBe(202);
    expect((await waitForSettled(t.ctx.db, res.body.data.delivery.id)).delivery.status).toBe('DELIVERED');
    expect(receiver.received.filter((r) => r.path === '/lost')).toHaveLength(2);
  });

  it('answers 409 DELIVERY_IN_PROGRESS while the delivery is still pending', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/pending') });
    expectError(await redeliver(client, await idleDelivery(client)), 409, 'DELIVERY_IN_PROGRESS');
  });

  it("answers 404 DELIVERY_NOT_FOUND for another client's delivery or an unknown one", async () => {
    const owner = await t.createClient({ webhookUrl: receiver.url('/owner') });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: owner.clientId });
    await waitForSettled(t.ctx.db, deliveryId!);
    const intruder = await t.createClient({ webhookUrl: receiver.url('/intruder') });
    expectError(await redeliver(intruder, deliveryId!), 404, 'DELIVERY_NOT_FOUND');
    expectError(await redeliver(owner, newDeliveryId()), 404, 'DELIVERY_NOT_FOUND');
    expect(receiver.received.filter((r) => r.path === '/intruder')).toHaveLength(0);
  });

  it('answers 400 WEBHOOK_NOT_CONFIGURED once the webhook URL has been removed', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/removed') });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    await waitForSettled(t.ctx.db, deliveryId!);
    await setWebhook(t.ctx.db, client.clientId, null);
    expectError(await redeliver(client, deliveryId!), 400, 'WEBHOOK_NOT_CONFIGURED');
  });

  it('answers 400 VALIDATION_ERROR for a malformed id and 401 without a token', async () => {
    const client = await t.createClient({ webhookUrl: receiver.url('/x') });
    expectError(await redeliver(client, 'tx_01jj0c2m3n4p5q6r7s8t9v0w1y'), 400, 'VALIDATION_ERROR');
    expectError(await request(t.app).post(`/api/v1/webhooks/deliveries/${newDeliveryId()}/redeliver`), 401, 'UNAUTHORIZED');
  });
});
