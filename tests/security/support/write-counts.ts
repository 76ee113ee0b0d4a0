// What a request left behind: rows in the tables a request can write and jobs in graphile-worker's
// queue, counted in one round trip so they can be taken before and after every request.
import { sql } from 'kysely';
import type { Response } from 'supertest';
import type { Db } from '../../../src/db/connect.js';

export type WriteCounts = {
  transactions: number;
  transitions: number;
  idempotencyKeys: number;
  wallets: number;
  webhookEvents: number;
  webhookDeliveries: number;
  jobs: number;
};

export const NO_WRITES: WriteCounts = { transactions: 0, transitions: 0, idempotencyKeys: 0, wallets: 0, webhookEvents: 0, webhookDeliveries: 0, jobs: 0 };

export async function countWrites(db: Db): Promise<WriteCounts> {
  const { rows } = await sql<WriteCounts>`select
      (select count(*) from transactions)::int as "transactions",
      (select count(*) from transaction_transitions)::int as "transitions",
      (select count(*) from idempotency_keys)::int as "idempotencyKeys",
      (select count(*) from wallets)::int as "wallets",
      (select count(*) from webhook_events)::int as "webhookEvents",
      (select count(*) from webhook_deliveries)::int as "webhookDeliveries",
      (select count(*) from graphile_worker._private_jobs)::int as "jobs"`.execute(db);
  return rows[0];
}

export function difference(after: WriteCounts, before: WriteCounts): WriteCounts {
  return Object.fromEntries(Object.keys(NO_WRITES).map((k) => [k, after[k as keyof WriteCounts] - before[k as keyof WriteCounts]])) as WriteCounts;
}

export function sum(a: WriteCounts, b: WriteCounts): WriteCounts {
  return Object.fromEntries(Object.keys(NO_WRITES).map((k) => [k, a[k as keyof WriteCounts] + b[k as keyof WriteCounts]])) as WriteCounts;
}

/**
 * Exactly what an answer allows to have been written: nothing for any refusal; for a success, what
 * that operation writes (README, How an operation travels: an accepted operation is one row, its first transition, its job and
 * its idempotency key if one was sent; a replay writes nothing). `undefined` for an operation these
 * tests do not know yet: its successes are not counted (its refusals still must write nothing).
 */
export function writesAllowed(operationId: string, res: Response, sentIdempotencyKey: boolean): WriteCounts | undefined {
  if (res.status >= 300) return NO_WRITES;
  switch (operationId) {
    case 'createToken':
    case 'getBalance':
    case 'prepareMint':
    case 'getTransactionStatus':
    case 'checkQuota':
    case 'listWebhookDeliveries':
    case 'listTransactions':
    case 'exportTransactions':
    case 'getPaymentIntent':
    case 'listPaymentTokens':
    case 'getWalletBalances':
    case 'estimateGas':
    case 'listConnectedWallets':
    case 'getConnectedWalletBalance':
    // A nonce row only, in a table these counts leave out.
    case 'getWalletConnectNonce':
      return NO_WRITES;
    case 'createWallet':
      return { ...NO_WRITES, wallets: res.body.isNew ? 1 : 0 };
    case 'transferTokens':
    case 'executeMint':
    case 'executeClaim':
    case 'fundEscrow':
    case 'releaseEscrow':
    case 'refundEscrow':
    case 'createWithdrawal':
      if (res.headers['idempotent-replayed'] === 'true') return NO_WRITES;
      return { ...NO_WRITES, transactions: 1, transitions: 1, jobs: 1, idempotencyKeys: sentIdempotencyKey ? 1 : 0 };
    case 'createPaymentIntent':
      // Unfunded (201): the intent and its payment.intent.created event only. Funded: the funding
      // operation as above, and that event with its delivery and the delivery's job.
      if (res.status === 201) return { ...NO_WRITES, webhookEvents: 1, webhookDeliveries: 1, jobs: 1 };
      if (res.headers['idempotent-replayed'] === 'true') return NO_WRITES;
      return { ...NO_WRITES, transactions: 1, transitions: 1, webhookEvents: 1, webhookDeliveries: 1, jobs: 2, idempotencyKeys: sentIdempotencyKey ? 1 : 0 };
    case 'redeliverWebhookDelivery':
      return { ...NO_WRITES, webhookDeliveries: 1, jobs: 1 };
    case 'connectWallet':
      // 201: the link and its wallet.connected event (delivered); 200: linked before, nothing new.
      return res.status === 201 ? { ...NO_WRITES, webhookEvents: 1, webhookDeliveries: 1, jobs: 1 } : NO_WRITES;
    case 'disconnectWallet':
      return { ...NO_WRITES, webhookEvents: 1, webhookDeliveries: 1, jobs: 1 };
    case 'sendTestWebhook':
      return { ...NO_WRITES, webhookEvents: 1, webhookDeliveries: 1, jobs: 1 };
    default:
      return undefined;
  }
}
