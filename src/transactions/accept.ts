// Accepting an operation: the request joins the next accept batch (src/transactions/accept-batch.ts),
// which records the idempotency key, the transaction row, its first transition and the worker job in
// one database transaction, all or nothing, with the user's checks (quota, gas budgets, balance, ordered nonce)
// decided under the per-user lock. Requests arriving together share that transaction.
import type { Db } from '../db/connect.js';
import type { WalletChainStates } from '../chain/wallet-chain-state.js';
import type { GasFeeCap } from '../chain/gas-fee-cap.js';
import { createGroupCommit } from '../db/group-commit.js';
import { acceptedBody, replayIfKnown, type AcceptedResponse } from './idempotency.js';
import { runAcceptBatch, type AcceptOutcome, type AcceptRequest } from './accept-batch.js';
import { apiErrors } from '../app-error.js';

export type AcceptParameters = Omit<AcceptRequest, 'arrivedAt'>;

export type Accepted = AcceptedResponse & {
  /** What the user's quota leaves for this operation type once it is counted (when limited). */
  quotaRemaining?: number;
};

export type Acceptor = { accept(p: AcceptParameters): Promise<Accepted> };

/** A request goes through at most this many batches (a refusal re-decided on a fresh chain read, a key given back meanwhile). */
const MAX_ROUNDS = 4;

const queueFull = () => apiErrors.unavailable('Too many operations are waiting to be accepted; retry shortly');

export function createAcceptor(
  db: Db,
  chain: WalletChainStates,
  {
    gasFeeCap,
    maxBatch = 200,
    maxInFlight = 2,
    maxQueued = 1_000,
    lockTimeoutMs,
    lanesPerUser = 1,
  }: {
    /** What one gas may cost, for the reservation each operation makes from the gas budgets. */
    gasFeeCap: GasFeeCap;
    maxBatch?: number;
    maxInFlight?: number;
    /** Requests that may wait for a batch (ACCEPT_QUEUE_MAX); more are answered 503 at once. */
    maxQueued?: number;
    /** How long a batch waits for a user's lock before it refuses that user's requests with 503 (ACCEPT_LOCK_TIMEOUT_MS). */
    lockTimeoutMs?: number;
    /** Job queues per user (MAX_PARALLEL_OPS_PER_ACCOUNT): how many of a user's operations the worker runs at once. */
    lanesPerUser?: number;
  },
): Acceptor {
  const batches = createGroupCommit<AcceptRequest, AcceptOutcome>(
    (requests) => runAcceptBatch(db, chain, requests, { gasFeeCap, lockTimeoutMs, lanesPerUser }),
    {
      maxBatch,
      maxInFlight,
      maxQueued,
      whenFull: queueFull,
    },
  );
  return {
    async accept(p) {
      const arrivedAt = Date.now();
      for (let round = 1; ; round++) {
        const outcome = await batches.submit({ ...p, arrivedAt });
        const last = round >= MAX_ROUNDS;
        switch (outcome.kind) {
          case 'accepted':
            return { status: 202, body: acceptedBody(outcome.transactionId), replayed: false, quotaRemaining: outcome.quotaRemaining };
          case 'replay': {
            const replay = await replayIfKnown(db, { clientId: p.clientId, ...p.idempotency! });
            if (replay) return replay;
            // The request holding the key was refused and gave it back since: decide this one afresh.
            if (last) throw new Error('an idempotency key kept changing hands while this request was being accepted');
            break;
          }
          case 'refused':
            // Decided on a chain read older than the request: a credit may be missing from it.
            if (!outcome.staleChainState || last) throw outcome.error;
            await chain.fresh({ token: p.token, wallet: p.walletAddress, ordered: p.ordered }, arrivedAt);
            break;
        }
      }
    },
  };
}
