import type { Address, Hex } from 'viem';
import type { UserOpClients } from './clients.js';
import type { UserOpFailure } from './errors.js';
import { withRetries, type RetryContext } from './with-retries.js';
import { isNonceUsed } from './nonce.js';

/** Sends a stored, signed UserOperation exactly as stored; sending it again is harmless. */
export async function sendStoredUserOperation(
  { bundler }: UserOpClients,
  { userOp, entryPoint }: { userOp: Record<string, string>; entryPoint: Address },
): Promise<Hex> {
  return bundler.request({ method: 'eth_sendUserOperation', params: [userOp as never, entryPoint] });
}

/** The bundler already has it, or it was already included: both mean "sent". */
export function countsAsSent(failure: UserOpFailure): boolean {
  return failure.kind === 'already-known' || failure.kind === 'nonce-used';
}

/** `outlived`: not sent because it can never be included any more (see WithRetriesParameters.outlived). */
export type SendOutcome = 'sent' | 'not-sent' | 'outlived';

/**
 * Sends (or re-sends) the stored operation with the bundler retry policy, a send it already has or
 * has included counting as done. Not sent: refused for good (then FAILED, when `failTransaction`), the
 * transaction ended meanwhile, or (with `outlived`) its sponsorship window passed.
 *
 * A refusal is checked against the chain before it counts: once the operation's nonce is spent, the
 * operation (or its replacement) was included, and simulating it again fails for that very reason
 * (AA10 when it deployed the account, AA25 otherwise). The tracker settles it from its log; ending it
 * FAILED would report an executed operation as failed.
 */
export async function sendIdempotently(
  clients: UserOpClients,
  {
    retry,
    step,
    userOp,
    entryPoint,
    failTransaction,
    outlived,
  }: {
    retry: RetryContext;
    step: string;
    userOp: Record<string, string>;
    entryPoint: Address;
    failTransaction?: boolean;
    outlived?: () => Promise<boolean>;
  },
): Promise<SendOutcome> {
  const nonceSpent = () => isNonceUsed(clients.publicClient, { entryPoint, sender: userOp.sender as Address, nonce: BigInt(userOp.nonce) });
  const sent = await withRetries(retry, {
    step,
    run: () => sendStoredUserOperation(clients, { userOp, entryPoint }),
    accept: countsAsSent,
    failTransaction,
    doneAnyway: nonceSpent,
    outlived,
  });
  if (sent.ok) return 'sent';
  return sent.outlived ? 'outlived' : 'not-sent';
}
