// A transaction the submit job ends itself (FAILED here) sends its webhook the way a settled one does:
// from the worker, as soon as the status commits, with the delivery's job left as the fallback and
// dropped once the delivery is done — not through a hop of the job queue.
import { createTestApp, hostedSponsorship, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, verifyWebhook, type Receiver } from '../webhooks/support/receiver.js';
import { deliveryOfTransaction, pendingJobs, waitForSettled } from '../webhooks/support/deliveries.js';
import { jobs } from '../../src/observability/metrics.js';
import { leaseMs } from '../../src/webhooks/deliver.js';

let paymaster: RpcProxy;
let receiver: Receiver;
let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  paymaster = await startRpcProxy(testStackEnv().paymasterUrl);
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { ...hostedSponsorship(paymaster.url), WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t, { webhookUrl: receiver.url('/failed') });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
  await paymaster.close();
});

/** How many deliver_webhook jobs this process has run. */
async function deliverJobsRun(): Promise<number> {
  return (await jobs.get()).values.filter((v) => v.labels.task === 'deliver_webhook').reduce((sum, v) => sum + v.value, 0);
}

it('sends the transaction.failed webhook from the worker at commit, and drops the fallback job once delivered', async () => {
  await createWallet(t, actor, 'refused');
  await fund(t, actor, 'refused', '10');
  const jobsBefore = await deliverJobsRun();
  paymaster.intercept = (call) => (call.method.startsWith('pm_') ? { error: { code: -32001, message: 'sponsorship denied by policy' } } : undefined);
  const res = await api(t, actor, 'refused').post('/api/v1/wallet/transfer', { to: `0x${'12'.repeat(20)}`, amount: '1' });
  expect(res.status).toBe(202);
  const transactionId = res.body.transactionId as string;
  expect(await waitForTerminal(t, actor, transactionId)).toMatchObject({ status: 'FAILED', error: { code: 'PAYMASTER_REJECTED' } });

  // Funding the wallet sent a webhook of its own before.
  const request = (await receiver.waitFor(2, { path: '/failed', timeoutMs: 5_000 })).find((r) => r.body.includes(transactionId))!;
  expect(verifyWebhook(request, actor.client.webhookSecret)).toMatchObject({ event: 'transaction.failed', data: { transactionId, status: 'FAILED' } });
  const { delivery, attempts } = await waitForSettled(t.ctx.db, (await deliveryOfTransaction(t.ctx.db, transactionId))!.id);
  expect(delivery).toMatchObject({ status: 'DELIVERED', attempt_count: 1 });
  // Recorded already claimed, attempted at once: its job would only have run a lease later.
  expect(attempts[0].started_at.getTime() - delivery.created_at.getTime()).toBeLessThan(leaseMs(t.config) / 2);
  expect(await pendingJobs(t.ctx.db, delivery.id)).toBe(0);
  expect(await deliverJobsRun()).toBe(jobsBefore);
});
