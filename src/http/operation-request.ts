// The accept path shared by every mutating operation: who and which wallet, idempotency replay,
// the operation's own checks, then one database transaction (README, How an operation travels).
import type { Request, Response } from 'express';
import { getAddress, type Address } from 'viem';
import type { RouteContext } from './route.js';
import { AppError } from './errors.js';
import { authOf, userIdOf } from './request-context.js';
import type { Client, Wallet } from '../db/schema.js';
import type { AcceptParameters } from '../transactions/accept.js';
import { failpoint } from '../observability/failpoints.js';
import { parseIdempotencyKey, replayIfKnown, requestFingerprint } from '../transactions/idempotency.js';
import { tokenOf } from '../operations/contracts.js';

/** `token`: the client's own ChronosToken, which every operation of its users runs on. */
export type OperationRequest = { client: Client; userId: string; wallet: Wallet; walletAddress: Address; token: Address };

/** The row to accept: its `debit_wei` is checked against the balance, a mint's `mint_nonce` against the next nonce. */
export type PreparedAccept = Pick<AcceptParameters, 'row'>;

export const walletNotFound = () => new AppError(400, 'WALLET_ERROR', 'Wallet not found for this user. Call POST /api/v1/wallet/create first.');

export async function handleOperationRequest(
  ctx: RouteContext,
  req: Request,
  res: Response,
  {
    operationId,
    prepare,
  }: {
    operationId: string;
    /** Validates and pre-checks; throws an AppError to refuse (nothing is written). */
    prepare: (request: OperationRequest) => Promise<PreparedAccept>;
  },
): Promise<void> {
  const client = authOf(req).client;
  const userId = userIdOf(req);
  const key = parseIdempotencyKey(req.headers['x-idempotency-key']);
  const idempotency = key ? { key, requestHash: requestFingerprint({ operationId, userId, body: req.body }) } : undefined;
  // A retry of an accepted request is answered before any check that its own success would now fail.
  const known = idempotency && (await replayIfKnown(ctx.db, { clientId: client.id, ...idempotency }));
  const accepted =
    known
    || (await (async () => {
      const wallet = await ctx.wallets.find({ clientId: client.id, userId });
      if (!wallet) throw walletNotFound();
      const walletAddress = getAddress(wallet.address);
      const token = tokenOf(ctx.config, client.token_address);
      const prepared = await prepare({ client, userId, wallet, walletAddress, token });
      return ctx.acceptor.accept({ clientId: client.id, userId, walletAddress, token, idempotency, ...prepared });
    })().catch(async (error: unknown) => {
      // A concurrent twin with the same key may have been accepted after the replay check above; its
      // success is then why this one's checks refuse (RECEIPT_ALREADY_MINTED, ...): answer its 202. Not
      // for a 503: an overloaded accept path is not asked for more reads, and a retry replays anyway.
      const twin = idempotency && error instanceof AppError && error.status < 500 && (await replayIfKnown(ctx.db, { clientId: client.id, ...idempotency }));
      if (twin) return twin;
      throw error;
    }));
  if (!accepted.replayed) failpoint('after-accept-commit');
  if (accepted.replayed) res.setHeader('Idempotent-Replayed', 'true');
  if ('quotaRemaining' in accepted && accepted.quotaRemaining !== undefined) res.setHeader('X-Quota-Remaining', String(accepted.quotaRemaining));
  res.status(accepted.status).json(accepted.body);
}
