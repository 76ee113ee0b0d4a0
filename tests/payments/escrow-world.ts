// The world the escrow route tests share: an app with a worker and a webhook receiver, a client that
// mints and another, payers holding tokens, and the intent and escrow calls of the payments API.
import type { Hex } from 'viem';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';

export type EscrowWorld = {
  t: TestApp;
  actor: Actor;
  other: Actor;
  receiver: Receiver;
  /** A payer holding `tokens` and a payee, both with wallets. */
  payerAndPayee(tokens?: string): Promise<{ payer: string; payee: string; payerAddress: Hex; payeeAddress: Hex }>;
  createIntent(userId: string, body: object, headers?: Record<string, string>): ReturnType<ReturnType<typeof api>['post']>;
  move(userId: string, escrowId: string, action: 'fund' | 'release' | 'refund', body?: object, as?: Actor): ReturnType<ReturnType<typeof api>['post']>;
  intentOf(intentId: string, as?: Actor): ReturnType<ReturnType<typeof api>['get']>;
  /** Creates and funds an intent of `amount` from payer to payee; returns its ids once the funding is CONFIRMED. */
  fundedIntent(
    payer: string,
    payee: string,
    options?: { amount?: string; durationSeconds?: number },
  ): Promise<{ intentId: string; escrowId: Hex; transactionId: string }>;
};

/** Starts the world before the file's tests and stops it after; its fields are there once they run. */
export function useEscrowWorld(): EscrowWorld {
  const world = {} as EscrowWorld;
  let users = 0;
  beforeAll(async () => {
    world.receiver = await startReceiver();
    world.t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
    world.actor = await createMintingClient(world.t, { webhookUrl: world.receiver.url() });
    world.other = await createMintingClient(world.t);
  });
  afterAll(async () => {
    await world.t?.close();
    await world.receiver?.close();
  });
  world.payerAndPayee = async (tokens = '100') => {
    const { t, actor } = world;
    const n = ++users;
    const payer = `payer-${n}`;
    const payee = `payee-${n}`;
    const payerAddress = await createWallet(t, actor, payer);
    const payeeAddress = await createWallet(t, actor, payee);
    await fund(t, actor, payer, tokens);
    return { payer, payee, payerAddress, payeeAddress };
  };
  world.createIntent = (userId, body, headers = {}) => api(world.t, world.actor, userId).post('/api/v1/payments/intents', body, headers);
  world.move = (userId, escrowId, action, body = {}, as = world.actor) => api(world.t, as, userId).post(`/api/v1/payments/escrows/${escrowId}/${action}`, body);
  world.intentOf = (intentId, as = world.actor) => api(world.t, as).get(`/api/v1/payments/intents/${intentId}`);
  world.fundedIntent = async (payer, payee, { amount = '40', durationSeconds = 3600 } = {}) => {
    const res = await world.createIntent(payer, { amount, payeeUserId: payee, metadata: { description: 'Task payment', durationSeconds } });
    expect(res.status).toBe(202);
    const done = await waitForTerminal(world.t, world.actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED', type: 'escrow_fund' });
    return res.body as { intentId: string; escrowId: Hex; transactionId: string };
  };
  return world;
}
