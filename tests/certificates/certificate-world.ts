// The world the certificate route tests share: an app with a worker and a webhook receiver, a client
// with its own ChronosCertificate and another client with one of its own, and the certificate calls.
import { keccak256, toHex, type Hex } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, verifyWebhook, type Receiver } from '../webhooks/support/receiver.js';

export type CertificateWorld = {
  t: TestApp;
  actor: Actor;
  other: Actor;
  receiver: Receiver;
  /** A fresh user with a wallet; its address. */
  user(as?: Actor): Promise<{ userId: string; address: Hex }>;
  /** A hash no test has used. */
  newHash(): Hex;
  issue(userId: string, body: object, as?: Actor, headers?: Record<string, string>): ReturnType<ReturnType<typeof api>['post']>;
  revoke(userId: string, id: string, body: object, as?: Actor): ReturnType<ReturnType<typeof api>['post']>;
  get(path: string, as?: Actor): ReturnType<ReturnType<typeof api>['get']>;
  /** Issues a certificate for a fresh user and waits for it to be CONFIRMED. */
  issued(options?: { as?: Actor }): Promise<{ userId: string; address: Hex; certificateId: string; verificationHash: Hex; transactionId: string }>;
  /** The verified event of type `event` about the certificate, once it has arrived. */
  event(event: string, certificateId: string): Promise<Record<string, any>>;
};

export const fields = { recipientName: 'John Doe', courseTitle: 'Web3 Development', courseId: 'course-123', instructorName: 'Jane Smith' };

export function useCertificateWorld(): CertificateWorld {
  const world = {} as CertificateWorld;
  let users = 0;
  let hashes = 0;
  const run = Math.random().toString(36).slice(2);
  beforeAll(async () => {
    world.receiver = await startReceiver();
    world.t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    world.actor = await createMintingClient(world.t, { webhookUrl: world.receiver.url(), certificates: true });
    world.other = await createMintingClient(world.t, { certificates: true });
  });
  afterAll(async () => {
    await world.t?.close();
    await world.receiver?.close();
  });
  world.user = async (as = world.actor) => {
    const userId = `learner-${++users}`;
    return { userId, address: await createWallet(world.t, as, userId) };
  };
  world.newHash = () => keccak256(toHex(`certificate ${run} ${++hashes}`));
  world.issue = (userId, body, as = world.actor, headers = {}) => api(world.t, as, userId).post('/api/v1/certificates', body, headers);
  world.revoke = (userId, id, body, as = world.actor) => api(world.t, as, userId).post(`/api/v1/certificates/${id}/revoke`, body);
  world.get = (path, as = world.actor) => api(world.t, as).get(path);
  world.issued = async ({ as = world.actor } = {}) => {
    const { userId, address } = await world.user(as);
    const verificationHash = world.newHash();
    const res = await world.issue(userId, { ...fields, verificationHash }, as);
    expect(res.status).toBe(202);
    expect(await waitForTerminal(world.t, as, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'certificate_issue' });
    return { userId, address, verificationHash, certificateId: res.body.certificateId, transactionId: res.body.transactionId };
  };
  world.event = async (event, certificateId) => {
    for (;;) {
      const found = world.receiver.received
        .map((r) => verifyWebhook(r, world.actor.client.webhookSecret))
        .find((e) => e.event === event && e.data.certificateId === certificateId);
      if (found) return found;
      await world.receiver.waitFor(world.receiver.received.length + 1);
    }
  };
  return world;
}
