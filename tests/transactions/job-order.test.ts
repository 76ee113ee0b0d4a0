// A user's jobs are taken in the order their operations were accepted, also within one accept batch:
// graphile-worker picks the jobs of a queue by run_at (ties in no particular order, and add_jobs may
// insert a batch's jobs in any order), and the job holding a user's queue waits for that user's older
// operations, so a later operation's job picked first would wait forever for one queued behind it.
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { fundDirectly } from '../support/direct-funding.js';
import { runAcceptBatch, type AcceptRequest } from '../../src/transactions/accept-batch.js';
import { createWalletChainStates } from '../../src/chain/wallet-chain-state.js';
import { createGasFeeCap } from '../../src/chain/gas-fee-cap.js';

let t: TestApp;
let actor: Actor;

// No worker: the jobs stay queued for the test to read.
beforeAll(async () => {
  t = await createTestApp();
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

it("when one batch accepts several operations of a user, the worker's pick order (priority, run_at) is their acceptance order, without ties", async () => {
  const walletAddress = await createWallet(t, actor, 'batched');
  await fundDirectly(t, actor, { to: walletAddress, amountWei: parseEther('10') });
  const transfer = (): AcceptRequest => ({
    clientId: actor.client.clientId,
    userId: 'batched',
    walletAddress,
    ordered: true,
    token: actor.client.tokenAddress,
    arrivedAt: Date.now(),
    row: {
      type: 'transfer',
      debit_wei: parseEther('1'),
      params: JSON.stringify({ to: privateKeyToAccount(generatePrivateKey()).address, amountWei: parseEther('1').toString() }),
    },
  });
  const chain = createWalletChainStates(t.ctx.publicClient);
  const options = { gasFeeCap: createGasFeeCap(t.ctx.publicClient) };
  const outcomes = await runAcceptBatch(t.ctx.db, chain, Array.from({ length: 8 }, transfer), options);
  const later = await runAcceptBatch(t.ctx.db, chain, Array.from({ length: 2 }, transfer), options);
  const acceptedIds = [...outcomes, ...later].map((o) => ('value' in o && o.value.kind === 'accepted' ? o.value.transactionId : undefined));
  expect(acceptedIds.every((id) => id !== undefined)).toBe(true);

  const inAcceptOrder = await t.ctx.db.selectFrom('transactions').select('id').where('user_id', '=', 'batched').orderBy('accept_seq').execute();
  expect(inAcceptOrder.map((row) => row.id)).toEqual(acceptedIds);
  const { rows: jobs } = await t.ctx.pool.query<{ id: string; run_at: string }>(
    `select payload->>'transactionId' as id, run_at::text from graphile_worker._private_jobs order by priority, run_at`,
  );
  expect(jobs.map((job) => job.id)).toEqual(acceptedIds);
  expect(new Set(jobs.map((job) => job.run_at)).size).toBe(jobs.length);
});
