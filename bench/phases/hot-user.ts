// (7) One busy user (README, One busy user). N transfers accepted at once from N different users,
// against N transfers accepted at once from ONE user, both through `chronos start`: the wall time from
// the first request to the last webhook. Every account is deployed first (one transfer each), so both
// sides measure the steady state. Then a 100-recipient batch payout (POST /wallet/transfers, one
// UserOperation) against 100 single transfers of one user: confirmation time and gas per recipient.
import { parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { call, connectClient, createWallets, registerClient, type BenchClient } from '../api.js';
import { startChronos } from '../chronos-process.js';
import { fundOnChain } from '../funding.js';
import { startWebhookReceiver, type WebhookReceiver } from '../webhook-receiver.js';
import { chronosEnv, compare, type Comparison, type PhaseContext } from './context.js';

const AMOUNT = '0.001';
const OP_TIMEOUT_MS = 300_000;
const BATCH_RECIPIENTS = 100;

export type WaveResult = { ops: number; confirmed: number; wallS: number; opsPerSecond: number };

export type HotUserResults = {
  ops: number;
  manyUsers: WaveResult;
  oneUser: WaveResult;
  batch?: {
    recipients: number;
    /** The batch: POST → webhook, and its gas; the same payouts as single transfers of one user. */
    batchConfirmS: number;
    batchGasUsed: number;
    singlesWallS: number;
    singlesGasUsed: number;
    gasPerRecipient: { batch: number; singles: number };
    failures: string[];
  };
  failures: string[];
  comparisons: { oneUserThroughput: Comparison };
};

export const HOT_USER_STEPS = 3;

export async function runHotUserPhase({ stack, cleanup, progress, flags, chronosRoot }: PhaseContext): Promise<HotUserResults> {
  const n = flags.hotOps;
  progress.step(`one busy user: Chronos (start), ${n} + 1 funded users, webhook receiver`);
  const receiver = await startWebhookReceiver();
  cleanup.add('hot-user webhook receiver', receiver.close);
  const databaseUrl = await stack.newDatabase('bench_hot');
  const registered = await registerClient(databaseUrl, { webhookUrl: receiver.url });
  const chronos = await startChronos(cleanup, stack, { root: chronosRoot, role: 'start', databaseUrl, logLevel: flags.logLevel, env: chronosEnv(flags) });
  const client = await connectClient(chronos.url, registered);

  const many = Array.from({ length: n }, (_, i) => `hot-many-${i}`);
  const hot = 'hot-treasury';
  const addresses = await createWallets(client, [...many, hot]);
  await fundOnChain(stack, { addresses: addresses.slice(0, n), amountWei: parseEther('1') });
  await fundOnChain(stack, { addresses: [addresses[n]], amountWei: parseEther('1000') });
  const failures: string[] = [];
  // Deploy every account (the first operation of an account runs alone): not part of what is measured.
  await wave(client, receiver, [...many, hot], failures);
  failures.length = 0;

  progress.step(`one busy user: ${n} transfers from ${n} users, then ${n} from one user, each accepted at once`);
  const manyUsers = await wave(client, receiver, many, failures);
  const oneUser = await wave(
    client,
    receiver,
    Array.from({ length: n }, () => hot),
    failures,
  );
  progress.note(
    `${n} users: ${manyUsers.opsPerSecond.toFixed(1)} ops/s (${manyUsers.wallS.toFixed(1)} s); one user: ${oneUser.opsPerSecond.toFixed(1)} ops/s (${oneUser.wallS.toFixed(1)} s)`,
  );

  progress.step(`batch payout: ${BATCH_RECIPIENTS} recipients in one operation, against ${BATCH_RECIPIENTS} single transfers`);
  const batch = await batchAgainstSingles(client, receiver, hot);
  if (batch) {
    progress.note(
      `batch: confirmed in ${batch.batchConfirmS.toFixed(1)} s, ${batch.gasPerRecipient.batch.toFixed(0)} gas per recipient; `
        + `singles: ${batch.singlesWallS.toFixed(1)} s, ${batch.gasPerRecipient.singles.toFixed(0)} gas each`,
    );
  }
  await chronos.stop();
  return {
    ops: n,
    manyUsers,
    oneUser,
    batch,
    failures,
    comparisons: {
      oneUserThroughput: compare('ops/s', oneUser.opsPerSecond, manyUsers.opsPerSecond, { text: '≥ 0.8 × many users', met: ({ ratio }) => ratio >= 0.8 }),
    },
  };
}

/** One transfer per entry of `userIds` (repeats allowed), all sent at once; waits for every webhook. */
async function wave(client: BenchClient, receiver: WebhookReceiver, userIds: readonly string[], failures: string[]): Promise<WaveResult> {
  const t0 = Date.now();
  const ids = await Promise.all(
    userIds.map(async (userId) => {
      const res = await call(client, 'POST', '/api/v1/wallet/transfer', { userId, body: { to: someone(), amount: AMOUNT } });
      if (res.status !== 202) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
      return res.status === 202 ? (res.body.transactionId as string) : undefined;
    }),
  );
  const arrivals = await Promise.all(ids.map((id) => (id ? receiver.waitFor(id, OP_TIMEOUT_MS) : undefined)));
  const wallS = (Date.now() - t0) / 1000;
  const confirmed = arrivals.filter((a) => a?.status === 'CONFIRMED').length;
  for (const [i, a] of arrivals.entries()) if (ids[i] && a?.status !== 'CONFIRMED') failures.push(`${ids[i]}: ${a ? a.status : 'no webhook'}`);
  return { ops: userIds.length, confirmed, wallS, opsPerSecond: confirmed / wallS };
}

async function batchAgainstSingles(client: BenchClient, receiver: WebhookReceiver, userId: string): Promise<HotUserResults['batch']> {
  const failures: string[] = [];
  const transfers = Array.from({ length: BATCH_RECIPIENTS }, () => ({ to: someone(), amount: AMOUNT }));
  const t0 = Date.now();
  const res = await call(client, 'POST', '/api/v1/wallet/transfers', { userId, body: { transfers } });
  if (res.status !== 202) return undefined;
  const arrival = await receiver.waitFor(res.body.transactionId, OP_TIMEOUT_MS);
  const batchConfirmS = (Date.now() - t0) / 1000;
  if (arrival?.status !== 'CONFIRMED') failures.push(`batch ${res.body.transactionId}: ${arrival?.status ?? 'no webhook'}`);
  const batchGasUsed = await gasUsedOf(client, res.body.transactionId);

  const s0 = Date.now();
  const ids = await Promise.all(
    transfers.map(
      async (t) => (await call(client, 'POST', '/api/v1/wallet/transfer', { userId, body: { to: someone(), amount: t.amount } })).body.transactionId as string,
    ),
  );
  await Promise.all(ids.map((id) => receiver.waitFor(id, OP_TIMEOUT_MS)));
  const singlesWallS = (Date.now() - s0) / 1000;
  const gas = await Promise.all(ids.map((id) => gasUsedOf(client, id)));
  const singlesGasUsed = gas.reduce((a, b) => a + b, 0);
  return {
    recipients: BATCH_RECIPIENTS,
    batchConfirmS,
    batchGasUsed,
    singlesWallS,
    singlesGasUsed,
    gasPerRecipient: { batch: batchGasUsed / BATCH_RECIPIENTS, singles: singlesGasUsed / BATCH_RECIPIENTS },
    failures,
  };
}

async function gasUsedOf(client: BenchClient, transactionId: string): Promise<number> {
  const res = await call(client, 'GET', `/api/v1/transactions/${transactionId}`);
  return Number(res.body.gasUsed ?? NaN);
}

const someone = (): Address => privateKeyToAccount(generatePrivateKey()).address;
