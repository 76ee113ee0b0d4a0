import { sql, type RawBuilder, type Transaction as DbTransaction } from 'kysely';
import type { Db } from './connect.js';
import type { Database, NewTransaction, Transaction, TransactionStatus, UniqueKeyColumn } from './schema.js';
import { storedPolicyJson, type StoredPolicy } from './policies.js';
import { ACTIVE, IN_FLIGHT, NOT_EXECUTED } from '../statuses.js';

export async function findTransaction(db: Db, id: string): Promise<Transaction | undefined> {
  return db.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * A user's holdings of one token at a chain read's block. `own`: the token is the client's own, which
 * rows from before tokens were recorded per operation (token_address null) were on.
 */
export type UserAtBlock = { clientId: string; userId: string; block: bigint; token: string; own: boolean };

export type AcceptState = {
  /** Wei of the user's operations in flight or settled after the block. */
  debitWei: bigint;
  /** The highest ordered nonce (mint_nonce) among the user's operations in flight or settled after the block. */
  maxOrderedNonce?: bigint;
  /** The user's client's transaction policy, if it has one. */
  policy?: StoredPolicy;
};

/**
 * For each user, what the chain as of `block` does not show yet — their operations in flight or settled
 * after that block — and their client's policy, in one round trip. An operation included at or before
 * `block` but not yet settled is counted too (twice, which only errs safe).
 */
export async function loadAcceptState(trx: DbTransaction<Database> | Db, users: readonly UserAtBlock[]): Promise<AcceptState[]> {
  if (users.length === 0) return [];
  const active = sql.join(ACTIVE.map((status) => sql.lit(status)));
  const { rows } = await sql<{ i: string; debit_wei: string; mint_nonce: string | null; policy: StoredPolicy | null }>`
    select u.i, coalesce(sum(t.debit_wei), 0)::text as debit_wei, max(t.mint_nonce)::text as mint_nonce,
      ${storedPolicyJson(sql.ref('u.client_id'))} as policy
    from unnest(${users.map((u) => u.clientId)}::text[], ${users.map((u) => u.userId)}::text[], ${users.map((u) => u.block.toString())}::bigint[],
      ${users.map((u) => u.token.toLowerCase())}::text[], ${users.map((u) => u.own)}::boolean[])
      with ordinality as u(client_id, user_id, block, token, own, i)
    left join lateral (
      select debit_wei, mint_nonce, token_address from transactions
      where client_id = u.client_id and user_id = u.user_id and status in (${active})
      union all
      select debit_wei, mint_nonce, token_address from transactions
      where client_id = u.client_id and user_id = u.user_id and block_number > u.block and status not in (${active})
    ) as t on (lower(t.token_address) = u.token or (t.token_address is null and u.own))
    group by u.i, u.client_id
  `.execute(trx);
  const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
  return users.map((_, index) => {
    const row = byIndex.get(index + 1)!;
    return {
      debitWei: BigInt(row.debit_wei),
      maxOrderedNonce: row.mint_nonce === null ? undefined : BigInt(row.mint_nonce),
      policy: row.policy ?? undefined,
    };
  });
}

export type NewTransactionRow = Pick<NewTransaction, 'id' | 'client_id' | 'user_id' | 'wallet_address' | 'type' | 'params'> &
  Partial<
    Pick<
      NewTransaction,
      | 'debit_wei'
      | 'receipt_hash'
      | 'claim_id'
      | 'escrow_id'
      | 'certificate_hash'
      | 'mint_nonce'
      | 'expiry_block'
      | 'token_address'
      | 'gas_reserved_wei'
      | 'counts_as_units'
    >
  >;

/**
 * SQL inserting the rows, as a CTE body: `returning id, accept_seq`. A row a unique index refuses (a
 * receipt or claim id in use) is skipped, not an error. Any number of rows, one fixed statement.
 */
export function insertTransactionsSql(rows: readonly NewTransactionRow[]): RawBuilder<{ id: string; accept_seq: string }> {
  const column = <T>(pick: (row: NewTransactionRow) => T) => rows.map(pick);
  const text = (v: unknown) => (v === undefined || v === null ? null : String(v));
  return sql`insert into transactions (id, client_id, user_id, wallet_address, type, params, debit_wei, receipt_hash, claim_id, escrow_id, certificate_hash, mint_nonce, expiry_block, token_address, gas_reserved_wei, counts_as_units)
    select id, client_id, user_id, wallet_address, type, params, debit_wei, receipt_hash, claim_id, escrow_id, certificate_hash, mint_nonce, expiry_block, token_address, gas_reserved_wei, counts_as_units from unnest(
      ${column((r) => r.id)}::text[], ${column((r) => r.client_id)}::text[], ${column((r) => r.user_id)}::text[],
      ${column((r) => r.wallet_address)}::text[], ${column((r) => r.type)}::text[], ${column((r) => (typeof r.params === 'string' ? r.params : JSON.stringify(r.params)))}::jsonb[],
      ${column((r) => text(r.debit_wei) ?? '0')}::numeric[], ${column((r) => text(r.receipt_hash))}::text[], ${column((r) => text(r.claim_id))}::text[],
      ${column((r) => text(r.escrow_id))}::text[], ${column((r) => text(r.certificate_hash))}::text[], ${column((r) => text(r.mint_nonce))}::numeric[], ${column((r) => text(r.expiry_block))}::numeric[],
      ${column((r) => text(r.token_address))}::text[], ${column((r) => text(r.gas_reserved_wei) ?? '0')}::numeric[],
      ${column((r) => r.counts_as_units ?? null)}::integer[]
    ) with ordinality as r(id, client_id, user_id, wallet_address, type, params, debit_wei, receipt_hash, claim_id, escrow_id, certificate_hash, mint_nonce, expiry_block, token_address, gas_reserved_wei, counts_as_units, n)
    order by n
    on conflict do nothing
    returning id, accept_seq`;
}

/** The highest ordered nonce (mint_nonce) among this wallet's operations in flight, if any. */
export async function maxInFlightOrderedNonce(trx: DbTransaction<Database> | Db, { walletAddress }: { walletAddress: string }): Promise<bigint | undefined> {
  const row = await trx
    .selectFrom('transactions')
    .select(sql<string | null>`max(mint_nonce)::text`.as('nonce'))
    .where('wallet_address', '=', walletAddress)
    .where('mint_nonce', 'is not', null)
    .where('status', 'in', [...ACTIVE])
    .executeTakeFirstOrThrow();
  return row.nonce === null ? undefined : BigInt(row.nonce);
}

/**
 * Whether a unique key of this operation type (a mint's receipt) is in flight or executed through
 * Chronos on this token (keys are per token; a row with no token is on the shared one). Other tokens'
 * keys say nothing about this one, and must not tell one client what another is doing. The predicate
 * is the unique index's own (`type`, statuses), so that index answers it.
 */
export async function uniqueKeyInUse(
  db: Db,
  { type, column, value, token, sharedToken }: { type: string; column: UniqueKeyColumn; value: string; token: string; sharedToken: string },
): Promise<boolean> {
  const row = await db
    .selectFrom('transactions')
    .select('id')
    .where('type', '=', type)
    .where(column, '=', value)
    .where('status', 'not in', [...NOT_EXECUTED, 'REVERTED'])
    .where(sql<string>`coalesce(token_address, ${sharedToken})`, '=', token)
    .executeTakeFirst();
  return row !== undefined;
}

/** The stored signed UserOperation, written once: a retry re-sends it instead of building another. */
export async function storeUserOperation(
  db: Db,
  { transactionId, userOp, userOpHash }: { transactionId: string; userOp: Record<string, string>; userOpHash: string },
): Promise<Transaction | undefined> {
  return db
    .updateTable('transactions')
    .set({ user_op: JSON.stringify(userOp), user_op_hash: userOpHash, updated_at: sql`now()` })
    .where('id', '=', transactionId)
    .where('user_op', 'is', null)
    .where('status', '=', 'SUBMITTING')
    .returningAll()
    .executeTakeFirst();
}

export async function storeReplacementUserOperation(
  db: Db,
  { transactionId, userOp, userOpHash }: { transactionId: string; userOp: Record<string, string>; userOpHash: string },
): Promise<Transaction | undefined> {
  return db
    .updateTable('transactions')
    .set({ replacement_user_op: JSON.stringify(userOp), replacement_user_op_hash: userOpHash, updated_at: sql`now()` })
    .where('id', '=', transactionId)
    .where('replacement_user_op', 'is', null)
    .where('status', '=', 'SUBMITTED')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Stores a re-sponsored operation in place of the one whose window passed (the original, or the
 * no-op replacement), keeping the old hash in superseded_user_op_hashes, and records why in the
 * history (a transition that keeps the status). Guarded by the old hash: of two runs that both found
 * it dead, one stores; the other gets undefined and sends what that one stored.
 */
export async function storeReSponsoredUserOperation(
  db: Db,
  {
    transactionId,
    which,
    supersededHash,
    userOp,
    userOpHash,
    reason,
  }: { transactionId: string; which: 'original' | 'replacement'; supersededHash: string; userOp: Record<string, string>; userOpHash: string; reason: string },
): Promise<Transaction | undefined> {
  const [op, hash] = which === 'original' ? ['user_op', 'user_op_hash'] : ['replacement_user_op', 'replacement_user_op_hash'];
  const inFlight = sql.join(IN_FLIGHT.map((status) => sql.lit(status)));
  const { rows } = await sql<Transaction>`
    with stored as (
      update transactions
      set ${sql.ref(op)} = ${JSON.stringify(userOp)}::jsonb, ${sql.ref(hash)} = ${userOpHash},
        superseded_user_op_hashes = array_append(superseded_user_op_hashes, ${supersededHash}), updated_at = now()
      where id = ${transactionId} and ${sql.ref(hash)} = ${supersededHash} and status in (${inFlight})
      returning *
    ),
    history as (
      insert into transaction_transitions (transaction_id, from_status, to_status, reason)
      select id, status, status, ${reason} from stored
    )
    select * from stored
  `.execute(db);
  return rows[0];
}

/**
 * A history entry that changes no status (from = to): why a transaction is where it is, e.g. waiting
 * for the paymaster deposit. Written only while it is still in `status`, and not again while its latest
 * entry already says the same.
 */
export async function noteTransaction(
  db: Db,
  { transactionId, status, reason }: { transactionId: string; status: TransactionStatus; reason: string },
): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`
    insert into transaction_transitions (transaction_id, from_status, to_status, reason)
    select t.id, t.status, t.status, ${reason} from transactions t
    where t.id = ${transactionId} and t.status = ${status}
      and (select reason from transaction_transitions where transaction_id = t.id order by id desc limit 1) is distinct from ${reason}
    returning transaction_id as id
  `.execute(db);
  return rows.length > 0;
}

export async function listTransitions(db: Db, transactionId: string) {
  return db.selectFrom('transaction_transitions').selectAll().where('transaction_id', '=', transactionId).orderBy('id').execute();
}
