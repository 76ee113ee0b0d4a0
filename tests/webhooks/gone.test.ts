// 410 Gone from a receiver means "stop sending here": the delivery ends FAILED at once, the client's
// webhook is disabled (when and why, shown by `chronos clients show|list`), nothing more is sent to it,
// what happens meanwhile is recorded as not sent, and `chronos clients set-webhook` enables it again,
// after which those deliveries can be redelivered. Against a real receiver on loopback that answers 410.
import request from 'supertest';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { runChronosCli } from '../support/cli.js';
import { findClient } from '../../src/db/clients.js';
import { enqueueWebhookDelivery } from '../../src/db/jobs.js';
import { startReceiver, verifyWebhook, type Receiver } from './support/receiver.js';
import { endTransaction, findDelivery, pendingJobs, waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // A schedule with retries left, so ending at the first attempt is the 410's doing.
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '50ms,50ms,50ms' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const chronos = (args: string[]) => runChronosCli([...args, '--json'], t.env);
const requestsTo = (path: string) => receiver.received.filter((r) => r.path === path);
const redeliver = async (client: TestClient, deliveryId: string) =>
  request(t.app)
    .post(`/api/v1/webhooks/deliveries/${deliveryId}/redeliver`)
    .set('Authorization', `Bearer ${await t.tokenFor(client)}`);

/** Brings a parked retry forward, as if its wait had passed. */
async function makeDueNow(deliveryId: string): Promise<void> {
  await t.ctx.db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date() }).where('id', '=', deliveryId).execute();
  await enqueueWebhookDelivery(t.ctx.db, { deliveryId });
}

const NOT_SENT =
  /^not sent: webhooks to this client are disabled \(.+ answered 410 Gone to delivery del_\w+\); once its webhook URL is set again \(chronos clients set-webhook\), redeliver it$/;

describe('a receiver that answers 410 Gone', () => {
  let gone = true;
  let client: TestClient;
  let parked: string;
  let goneDelivery: string;
  let notSent: string;

  beforeAll(async () => {
    // The first event is refused with a long Retry-After (its retry parks); the second gets the 410.
    receiver.answerOn('/gone', (_request, index) => (index === 0 ? { status: 503, headers: { 'Retry-After': '3600' } } : { status: gone ? 410 : 200 }));
    client = await t.createClient({ webhookUrl: receiver.url('/gone') });
    parked = (await endTransaction(t.ctx.db, { clientId: client.clientId })).deliveryId!;
    await receiver.waitFor(1, { path: '/gone' });
    goneDelivery = (await endTransaction(t.ctx.db, { clientId: client.clientId, to: 'FAILED' })).deliveryId!;
  });

  it('ends that delivery FAILED at its first attempt, with no retry left queued', async () => {
    const { delivery, attempts } = await waitForSettled(t.ctx.db, goneDelivery);
    expect(delivery).toMatchObject({
      status: 'FAILED',
      attempt_count: 1,
      last_response_status: 410,
      error_message: 'endpoint answered HTTP 410 Gone: webhooks to this client are disabled until its URL is set again',
    });
    expect(attempts).toEqual([expect.objectContaining({ attempt_number: 1, response_status: 410, url: receiver.url('/gone') })]);
    expect(await pendingJobs(t.ctx.db, goneDelivery)).toBe(0);
  });

  it('disables the client webhook, with when and why, as `chronos clients show` and `list --json` say', async () => {
    const row = await findClient(t.ctx.db, client.clientId);
    expect(row?.webhook_disabled_at).toBeInstanceOf(Date);
    expect(row?.webhook_disabled_reason).toBe(`${receiver.url('/gone')} answered 410 Gone to delivery ${goneDelivery}`);
    expect(row?.webhook_url).toBe(receiver.url('/gone'));

    const shown = await chronos(['clients', 'show', client.clientId]);
    expect(shown.code).toBe(0);
    expect(shown.json).toMatchObject({
      webhookUrl: receiver.url('/gone'),
      webhookDisabledAt: row!.webhook_disabled_at!.toISOString(),
      webhookDisabledReason: row!.webhook_disabled_reason,
    });
    const listed = await chronos(['clients', 'list']);
    expect(listed.json.clients).toContainEqual(
      expect.objectContaining({ clientId: client.clientId, webhookDisabledAt: row!.webhook_disabled_at!.toISOString() }),
    );
    const plain = await runChronosCli(['clients', 'list'], t.env);
    expect(plain.stdout).toContain(`${client.clientId}`);
    expect(plain.stdout).toMatch(/WEBHOOK DISABLED since \d{4}-/);
  });

  it('sends nothing more: a retry that comes due ends FAILED unsent, and a new event is recorded FAILED without an attempt', async () => {
    await makeDueNow(parked);
    const retried = await waitForSettled(t.ctx.db, parked);
    expect(retried.delivery).toMatchObject({ status: 'FAILED', attempt_count: 2 });
    expect(retried.delivery.error_message).toMatch(NOT_SENT);
    expect(retried.attempts[1]).toMatchObject({ attempt_number: 2, url: null, response_status: null });

    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId, to: 'EXPIRED' });
    notSent = deliveryId!;
    const recorded = await findDelivery(t.ctx.db, notSent);
    expect(recorded).toMatchObject({ status: 'FAILED', attempt_count: 0, next_attempt_at: null, last_attempt_at: null });
    expect(recorded.error_message).toMatch(NOT_SENT);
    expect(await pendingJobs(t.ctx.db, notSent)).toBe(0);
    // The 503 and the 410; nothing since.
    expect(requestsTo('/gone')).toHaveLength(2);
  });

  it('while disabled, a redelivery is recorded but not sent either', async () => {
    const res = await redeliver(client, notSent);
    expect(res.status).toBe(202);
    expect(res.body.data.delivery).toMatchObject({ status: 'FAILED', attemptCount: 0, errorMessage: expect.stringMatching(NOT_SENT) });
    expect(requestsTo('/gone')).toHaveLength(2);
  });

  it('`chronos clients set-webhook ID URL` with the same URL enables it again; then redelivering what failed sends it, same webhook-id, signed', async () => {
    gone = false;
    const set = await chronos(['clients', 'set-webhook', client.clientId, receiver.url('/gone')]);
    expect(set.code).toBe(0);
    expect(set.json).toMatchObject({ webhookUrl: receiver.url('/gone'), webhookDisabledAt: null, webhookDisabledReason: null });
    expect((await chronos(['clients', 'show', client.clientId])).json).toMatchObject({ webhookDisabledAt: null });

    for (const original of [notSent, goneDelivery, parked]) {
      const res = await redeliver(client, original);
      expect(res.status).toBe(202);
      expect(res.body.data.delivery).toMatchObject({ status: 'PENDING', attemptCount: 0 });
      const { delivery } = await waitForSettled(t.ctx.db, res.body.data.delivery.id);
      expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1, redelivery_of: original });
      const event = (await findDelivery(t.ctx.db, original)).event_id;
      const sent = requestsTo('/gone').filter((r) => r.headers['webhook-id'] === event);
      expect(verifyWebhook(sent.at(-1)!, client.webhookSecret).id).toBe(event);
    }
    // New events go out again as they happen.
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    expect((await waitForSettled(t.ctx.db, deliveryId!)).delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1 });
  });
});

describe('a late 410 from a URL the client no longer uses', () => {
  it('fails that delivery but does not disable the new URL', async () => {
    let urlChanged!: () => void;
    const changed = new Promise<void>((resolve) => {
      urlChanged = resolve;
    });
    // The URL changes while the attempt to the old one is under way: the old receiver answers after.
    receiver.answerOn('/old', () => ({ status: 410, after: changed }));
    const client = await t.createClient({ webhookUrl: receiver.url('/old') });
    const { deliveryId } = await endTransaction(t.ctx.db, { clientId: client.clientId });
    await receiver.waitFor(1, { path: '/old' });
    await t.ctx.db
      .updateTable('clients')
      .set({ webhook_url: receiver.url('/new') })
      .where('id', '=', client.clientId)
      .execute();
    urlChanged();
    const { delivery } = await waitForSettled(t.ctx.db, deliveryId!);
    expect(delivery).toMatchObject({ status: 'FAILED', attempt_count: 1, last_response_status: 410 });
    expect(await findClient(t.ctx.db, client.clientId)).toMatchObject({
      webhook_url: receiver.url('/new'),
      webhook_disabled_at: null,
      webhook_disabled_reason: null,
    });
  });
});
