// One database transaction decides and records a batch of accept requests (README, How an operation travels): the
// requests that arrived while the previous batch was being written (src/db/group-commit.ts). Per
// batch, not per request: one lock statement, one idempotency claim, one read of what each user has
// in flight (and their client's policy), the quota counts when a policy limits them, the gas budget
// usage when a policy has budgets, and one statement inserting the rows, their first transitions and
// their jobs.
//
// Correctness is per user, as if the requests had been accepted one by one in arrival order: every
// user in the batch is locked (their wallet row, in a fixed order, so concurrent batches cannot
// deadlock; src/db/user-locks.ts), and each request is decided against what the requests before it in
// the batch took. A lock wait is bounded (ACCEPT_LOCK_TIMEOUT_MS): when it runs out the batch is
// decided again without waiting, and only the requests of users still held elsewhere are refused with
// 503, so a user whose lock stays held cannot hold up anyone else's accept for longer than that.
//
// A client gas budget is shared by all the client's users, so its usage is read under one more lock,
// the client's policy row (src/db/gas-budgets.ts lockClientBudgets), taken only when the client has a
// client budget and always after the user locks: 100 requests across any number of API processes
// against a budget worth 10 reservations accept exactly 10.
import { sql, type Transaction as DbTransaction } from 'kysely';
import type { Address } from 'viem';
import type { Db } from '../db/connect.js';
import type { Database, NewTransaction } from '../db/schema.js';
import { definitionOf, type OperationType } from '../operations/index.js';
import type { ItemOutcome } from '../db/group-commit.js';
import { tokenWalletKey, type WalletChainState, type WalletChainStates } from '../chain/wallet-chain-state.js';
import { insertTransactionsSql, loadAcceptState, type AcceptState } from '../db/transactions.js';
import { countQuotaUsageOfUsers, limitsOf, QUOTA_PERIODS, type PeriodCounts, type PeriodLimits } from '../db/policies.js';
import { creationHistoryFor } from '../status/transition.js';
import { submitJobsFor } from '../db/jobs.js';
import { apiErrors, type AppError } from '../app-error.js';
import { QUOTA_COUNTED_AS, QUOTA_OPERATION_TYPES, isLimited, quotaDecision } from '../policy/quota.js';
import { newTransactionId } from './ids.js';
import { claimIdempotencyKeys, releaseIdempotencyKeys, type IdempotencyKey, type KeyClaim } from './idempotency.js';
import { LOCK_NOT_AVAILABLE, lockUsers } from '../db/user-locks.js';
import type { GasFeeCap } from '../chain/gas-fee-cap.js';
import { findDeployedUsers, lockClientBudgets, sumClientGasUsage, sumUserGasUsage } from '../db/gas-budgets.js';
import type { OperationEvent, ValueLimit } from '../operations/types.js';
import { balanceRefusal, valueLimitRefusal } from '../operations/value-limit.js';
import { recordEvent } from '../webhooks/outbox.js';
import { sumValueSince } from '../db/value-limits.js';
import { addUsage, gasBudgetRefusal, gasBudgetsOf, gasReservationWei, type GasBudgetScope, type WeiLimits, type WeiUsage } from '../policy/gas-budget.js';

export type AcceptRequest = {
  clientId: string;
  userId: string;
  walletAddress: Address;
  /** The token it moves: the balance (and ordered nonce) checked are the wallet's on it, and the row records it. */
  token: Address;
  /** The token is the client's own ChronosToken, whose nonces order mints (README, Payments: the client's tokens). */
  ordered: boolean;
  /**
   * The row to insert (src/transactions/accept-row.ts); `debit_wei` is checked against the balance, an
   * ordered nonce (`mint_nonce`) against the wallet's next one.
   */
  row: Omit<NewTransaction, 'id' | 'client_id' | 'user_id' | 'wallet_address' | 'status' | 'type'> & { type: OperationType };
  idempotency?: IdempotencyKey;
  /** Its own gas ceiling when its size decides it (a payout's recipients); else its type's. */
  gasCeiling?: bigint;
  /** A cap on what its type may move per period (Acceptance.valueLimit), checked against `debit_wei`. */
  valueLimit?: ValueLimit;
  /** Rows recorded with it, in the batch's transaction, once it is accepted (Acceptance.alsoRecord). */
  alsoRecord?: (trx: DbTransaction<Database>, transactionId: string) => Promise<void>;
  /** Webhook events recorded with it once it is accepted (Acceptance.acceptEvents). */
  events?: OperationEvent[];
  /** When the request arrived (Date.now()): a chain read older than this may miss a credit. */
  arrivedAt: number;
};

export type AcceptOutcome =
  | { kind: 'accepted'; transactionId: string; quotaRemaining?: number }
  /** Its idempotency key is stored already (or taken by an earlier request of the batch): answer with what is stored. */
  | { kind: 'replay' }
  /** Refused; `staleChainState` when the chain read it was decided on predates the request. */
  | { kind: 'refused'; error: AppError; staleChainState: boolean };

/** Thrown inside the transaction when a unique index refused rows: decide the batch again without them. */
class UniqueConflict extends Error {
  constructor(readonly indexes: number[]) {
    super('unique conflict in an accept batch');
  }
}

const DEADLOCK = '40P01';

/**
 * How long an accept waits for a lock (a user's, or a key or receipt another accept is writing). Accept
 * transactions take milliseconds: a longer wait means the holder is stuck, and waiting on would stall
 * the batch lane for everyone behind it.
 */
export const ACCEPT_LOCK_TIMEOUT_MS = 2_000;

const userBusy = () => apiErrors.unavailable('Another operation of this user is still being accepted; retry shortly');

export async function runAcceptBatch(
  db: Db,
  chain: WalletChainStates,
  requests: AcceptRequest[],
  { gasFeeCap, lockTimeoutMs = ACCEPT_LOCK_TIMEOUT_MS, lanesPerUser = 1 }: { gasFeeCap: GasFeeCap; lockTimeoutMs?: number; lanesPerUser?: number },
): Promise<ItemOutcome<AcceptOutcome>[]> {
  // Chain reads happen before any lock is taken; after a cache warm-up they cost nothing.
  const holdings = [
    ...new Map(
      requests.map((r) => {
        const at = holdingOf(r);
        return [tokenWalletKey(at), at] as const;
      }),
    ).values(),
  ];
  const [states, feeCapWei] = await Promise.all([
    Promise.all(holdings.map(async (at) => [tokenWalletKey(at), await chain.get(at)] as const)).then((entries) => new Map(entries)),
    gasFeeCap.get(),
  ]);
  const conflicted = new Map<number, AppError>();
  // After a lock wait ran out: lock only who is free, refuse the rest.
  let skipHeldUsers = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db
        .transaction()
        .execute((trx) => decideAndRecord(trx, requests, states, conflicted, { skipHeldUsers, lockTimeoutMs, feeCapWei, lanesPerUser }));
    } catch (error) {
      if (error instanceof UniqueConflict) {
        for (const index of error.indexes) conflicted.set(index, definitionOf(requests[index].row.type).uniqueConflict!());
        continue;
      }
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
        if (!skipHeldUsers) {
          skipHeldUsers = true;
          continue;
        }
        // Still a lock wait, so not on a user's row but on an idempotency key, receipt or claim that
        // another accept is writing: decide each request alone, in arrival order, so that only the
        // ones waiting on it answer 503 and the rest of the batch goes through.
        if (requests.length === 1) return [{ error: userBusy() }];
        const alone: ItemOutcome<AcceptOutcome>[] = [];
        for (const request of requests) alone.push(...(await runAcceptBatch(db, chain, [request], { gasFeeCap, lockTimeoutMs, lanesPerUser })));
        return alone;
      }
      // Two batches waiting on each other's idempotency keys or receipts: Postgres broke the tie.
      if ((error as { code?: string }).code === DEADLOCK && attempt < 3) continue;
      throw error;
    }
  }
}

type Tally = { state: WalletChainState; debitWei: bigint; maxOrderedNonce?: bigint };

// X-User-Id is printable ASCII: a newline cannot occur in either part.
const userKey = (r: { clientId: string; userId: string }) => `${r.clientId}\n${r.userId}`;
/** What a user holds of one token is tallied apart from the other tokens. */
const tallyKey = (r: AcceptRequest) => `${userKey(r)}\n${r.token}`;
const holdingOf = (r: AcceptRequest) => ({ token: r.token, wallet: r.walletAddress, ordered: r.ordered });

async function decideAndRecord(
  trx: DbTransaction<Database>,
  requests: AcceptRequest[],
  states: Map<string, WalletChainState>,
  conflicted: Map<number, AppError>,
  { skipHeldUsers, lockTimeoutMs, feeCapWei, lanesPerUser }: { skipHeldUsers: boolean; lockTimeoutMs: number; feeCapWei: bigint; lanesPerUser: number },
): Promise<ItemOutcome<AcceptOutcome>[]> {
  const outcomes: AcceptOutcome[] = new Array(requests.length);
  const asked = [...new Map(requests.map((r) => [userKey(r), r])).values()];
  const locked = new Set((await lockUsers(trx, asked, { skipLocked: skipHeldUsers, lockTimeoutMs })).map(userKey));
  if (!skipHeldUsers && locked.size !== asked.length) throw new Error('an accepting user has no wallet row');
  // Only after a lock wait ran out: users still held by another transaction are not decided here.
  requests.forEach((r, i) => {
    if (!locked.has(userKey(r))) outcomes[i] = { kind: 'refused', error: userBusy(), staleChainState: false };
  });
  const users = asked.filter((r) => locked.has(userKey(r)));

  // Idempotency keys first: a replay stops before any other work.
  const ids = requests.map(() => newTransactionId());
  const claims = new Map<number, KeyClaim>();
  const seenKeys = new Set<string>();
  requests.forEach((r, i) => {
    if (!r.idempotency || conflicted.has(i) || outcomes[i]) return;
    const seen = `${r.clientId}\n${r.idempotency.key}`;
    // A second request with the key in this batch answers as a later retry would: with what the first stored.
    if (seenKeys.has(seen)) {
      outcomes[i] = { kind: 'replay' };
      return;
    }
    seenKeys.add(seen);
    claims.set(i, { clientId: r.clientId, ...r.idempotency, transactionId: ids[i] });
  });
  const claimed = await claimIdempotencyKeys(trx, [...claims.values()]);
  for (const [i, claim] of claims) if (!claimed.has(claim)) outcomes[i] = { kind: 'replay' };

  const stateOf = (r: AcceptRequest) => states.get(tokenWalletKey(holdingOf(r)))!;
  // One tally per user and token they move in this batch.
  const holders = [...new Map(requests.filter((r) => locked.has(userKey(r))).map((r) => [tallyKey(r), r])).values()];
  const loaded = await loadAcceptState(
    trx,
    holders.map((r) => ({ clientId: r.clientId, userId: r.userId, block: stateOf(r).block, token: r.token, own: r.ordered })),
  );
  const tallies = new Map(
    holders.map((r, i) => [tallyKey(r), { state: stateOf(r), debitWei: loaded[i].debitWei, maxOrderedNonce: loaded[i].maxOrderedNonce } satisfies Tally]),
  );
  const policies = new Map(holders.map((r, i) => [r.clientId, loaded[i].policy]));
  const quotas = await loadQuotaUsage(trx, requests, policies);
  const budgets = await loadGasBudgetUsage(trx, users, policies);
  const deployed = new Set((await findDeployedUsers(trx, users)).map(userKey));
  const valueUsed = await loadValueUsage(trx, requests, locked);
  const reservations = requests.map((r) =>
    gasReservationWei({ gasCeiling: r.gasCeiling ?? definitionOf(r.row.type).gasCeiling, deployed: deployed.has(userKey(r)), feeCapWei }),
  );

  const accepted: number[] = [];
  requests.forEach((r, i) => {
    if (outcomes[i]) return;
    const refusal = conflicted.get(i);
    if (refusal) {
      outcomes[i] = { kind: 'refused', error: refusal, staleChainState: false };
      return;
    }
    const decision = decide(r, tallies.get(tallyKey(r))!, quotas.get(userKey(r)), budgetsOf(budgets, r), reservations[i], valueUsed.get(valueKey(r)));
    outcomes[i] = decision.kind === 'accepted' ? { ...decision, transactionId: ids[i] } : decision;
    if (decision.kind === 'accepted') accepted.push(i);
  });

  if (accepted.length) {
    // One statement: the rows, their first transitions and their jobs.
    const { rows } = await sql<{ id: string }>`
      with inserted as (${insertTransactionsSql(
        accepted.map((i) => ({
          ...requests[i].row,
          id: ids[i],
          client_id: requests[i].clientId,
          user_id: requests[i].userId,
          wallet_address: requests[i].walletAddress,
          token_address: requests[i].token,
          gas_reserved_wei: reservations[i],
        })),
      )}),
      history as (${creationHistoryFor('inserted', accepted.length)}),
      jobs as (${submitJobsFor(
        'inserted',
        accepted.map((i) => ({ transactionId: ids[i], clientId: requests[i].clientId, userId: requests[i].userId })),
        { lanesPerUser },
      )})
      select inserted.id from inserted cross join jobs
    `.execute(trx);
    const written = new Set(rows.map((row) => row.id));
    const refusedByIndex = accepted.filter((i) => !written.has(ids[i]));
    if (refusedByIndex.length) {
      if (refusedByIndex.some((i) => !definitionOf(requests[i].row.type).uniqueConflict))
        throw new Error('a transaction row was refused by a unique index it cannot break');
      throw new UniqueConflict(refusedByIndex);
    }
    for (const i of accepted) {
      const { alsoRecord, events, clientId } = requests[i];
      await alsoRecord?.(trx, ids[i]);
      for (const event of events ?? []) await recordEvent(trx, { clientId, transactionId: ids[i], ...event });
    }
  }
  await releaseIdempotencyKeys(
    trx,
    [...claims].filter(([i, claim]) => claimed.has(claim) && outcomes[i].kind !== 'accepted').map(([, claim]) => claim),
  );
  return outcomes.map((value) => ({ value }));
}

/** Per user, type with a value limit and token: what the period's operations moved, tallied as the batch accepts more. */
const valueKey = (r: AcceptRequest) => `${tallyKey(r)}\n${r.row.type}`;

async function loadValueUsage(trx: DbTransaction<Database>, requests: AcceptRequest[], locked: Set<string>): Promise<Map<string, { usedWei: bigint }>> {
  const usage = new Map<string, { usedWei: bigint }>();
  for (const r of requests) {
    if (!r.valueLimit || !locked.has(userKey(r)) || usage.has(valueKey(r))) continue;
    const usedWei = await sumValueSince(trx, {
      clientId: r.clientId,
      userId: r.userId,
      type: r.row.type,
      since: r.valueLimit.since,
      token: r.token,
      own: r.ordered,
    });
    usage.set(valueKey(r), { usedWei });
  }
  return usage;
}

/** A user's limits, and their usage of the limited types they ask for (a type not there is not limited). */
type QuotaUsage = { limits: Record<string, PeriodLimits>; used: Partial<Record<string, PeriodCounts>> };

/** Current usage of every user in the batch whose client has an enabled policy limiting a type they ask for. */
async function loadQuotaUsage(
  trx: DbTransaction<Database>,
  requests: AcceptRequest[],
  policies: Map<string, AcceptState['policy']>,
): Promise<Map<string, QuotaUsage>> {
  const usage = new Map<string, QuotaUsage>();
  for (const [clientId, policy] of policies) {
    if (!policy?.enabled) continue;
    const limits = limitsOf(policy, QUOTA_OPERATION_TYPES);
    const ofClient = requests.filter((r) => r.clientId === clientId);
    const types = [...new Set(ofClient.flatMap((r) => quotaCharges(r).map((charge) => charge.type)))].filter((type) => isLimited(limits[type]));
    if (types.length === 0) continue;
    const counts = await countQuotaUsageOfUsers(trx, {
      clientId,
      userIds: [...new Set(ofClient.map((r) => r.userId))],
      types,
      countedAs: QUOTA_COUNTED_AS,
    });
    for (const [userId, used] of counts) usage.set(userKey({ clientId, userId }), { limits, used });
  }
  return usage;
}

/** The quotas a request counts in: its own type's once, and the type it also counts as (README, Batch payouts) by its units. */
function quotaCharges(r: AcceptRequest): { type: OperationType; units: number }[] {
  const { countsAs } = definitionOf(r.row.type);
  return [{ type: r.row.type, units: 1 }, ...(countsAs ? [{ type: countsAs as OperationType, units: r.row.counts_as_units ?? 1 }] : [])];
}

/** A budget scope's limits and the usage this batch tallies against them (shared by the scope's requests). */
type BudgetUsage = { scope: GasBudgetScope; limits: WeiLimits; used: WeiUsage };
/** Per client: its client budget's usage; per user: their user budget's usage. */
type GasBudgetUsage = { clients: Map<string, BudgetUsage>; users: Map<string, BudgetUsage> };

/**
 * The budgets of every enabled policy in the batch, and their usage read under the locks: the users'
 * (already held) for the per-user budgets, the client's policy row (taken here) for a client budget.
 */
async function loadGasBudgetUsage(
  trx: DbTransaction<Database>,
  users: readonly AcceptRequest[],
  policies: Map<string, AcceptState['policy']>,
): Promise<GasBudgetUsage> {
  const usage: GasBudgetUsage = { clients: new Map(), users: new Map() };
  const budgeted = [...policies].flatMap(([clientId, policy]) => (policy?.enabled ? [{ clientId, ...gasBudgetsOf(policy.gas_budgets) }] : []));
  await lockClientBudgets(
    trx,
    budgeted.filter((b) => b.client).map((b) => b.clientId),
  );
  for (const { clientId, client, user } of budgeted) {
    if (client) usage.clients.set(clientId, { scope: 'client', limits: client, used: await sumClientGasUsage(trx, { clientId }) });
    if (!user) continue;
    const userIds = users.filter((r) => r.clientId === clientId).map((r) => r.userId);
    for (const [userId, used] of await sumUserGasUsage(trx, { clientId, userIds }))
      usage.users.set(userKey({ clientId, userId }), { scope: 'user', limits: user, used });
  }
  return usage;
}

const budgetsOf = (usage: GasBudgetUsage, r: AcceptRequest): BudgetUsage[] =>
  [usage.clients.get(r.clientId), usage.users.get(userKey(r))].filter((b): b is BudgetUsage => b !== undefined);

/**
 * One request against what its user has: quota, gas budgets, then balance and ordered nonce. Updates
 * the tallies (and the budgets' usage, by its reservation) when accepted.
 */
function decide(
  r: AcceptRequest,
  tally: Tally,
  quota: QuotaUsage | undefined,
  budgets: BudgetUsage[],
  reservationWei: bigint,
  value: { usedWei: bigint } | undefined,
): Extract<AcceptOutcome, { kind: 'refused' }> | { kind: 'accepted'; quotaRemaining?: number } {
  const stale = tally.state.readAt < r.arrivedAt;
  const type = r.row.type;
  const charges = quotaCharges(r).flatMap(({ type: quotaType, units }) => {
    const used = quota?.used[quotaType];
    return quota && used ? [{ used, units, ...quotaDecision(quota.limits[quotaType], used, quotaType, units) }] : [];
  });
  const overQuota = charges.find((charge) => charge.refusal)?.refusal;
  if (overQuota) return { kind: 'refused', error: overQuota, staleChainState: false };
  const left = charges.flatMap((charge) => (charge.remaining === undefined ? [] : [charge.remaining]));
  const remaining = left.length ? Math.min(...left) : undefined;
  const overBudget = budgets.length ? gasBudgetRefusal(budgets, { reservationWei, operation: type, now: new Date() }) : undefined;
  if (overBudget) return { kind: 'refused', error: overBudget, staleChainState: false };

  const debitWei = BigInt(r.row.debit_wei ?? 0);
  const overLimit = r.valueLimit && value ? valueLimitRefusal(r.valueLimit, value.usedWei, debitWei) : undefined;
  if (overLimit) return { kind: 'refused', error: overLimit, staleChainState: false };
  const uncovered = balanceRefusal(tally.state.balanceWei, tally.debitWei, debitWei);
  if (uncovered) return { kind: 'refused', error: uncovered, staleChainState: stale };
  const orderedNonce = r.row.mint_nonce != null ? BigInt(r.row.mint_nonce) : undefined;
  if (orderedNonce !== undefined) {
    const { maxOrderedNonce } = tally;
    const expected = maxOrderedNonce !== undefined && maxOrderedNonce + 1n > tally.state.orderedNonce ? maxOrderedNonce + 1n : tally.state.orderedNonce;
    if (orderedNonce !== expected) return { kind: 'refused', staleChainState: stale, error: definitionOf(type).nonceRefusal!(orderedNonce, expected) };
    tally.maxOrderedNonce = orderedNonce;
  }
  tally.debitWei += debitWei;
  if (value) value.usedWei += debitWei;
  for (const { used, units } of charges) for (const period of QUOTA_PERIODS) used[period] += units;
  for (const budget of budgets) addUsage(budget.used, reservationWei);
  return { kind: 'accepted', quotaRemaining: remaining };
}
