// What the payment definitions' own tests share: a deployment with an escrow contract whose database
// and chain throw when read (the checks under test must refuse, or accept, before reading them), and
// a payer of a client with no withdrawal settings.
import { getAddress } from 'viem';
import type { AcceptContext, OperationDefinition, Requester } from '../../src/operations/types.js';
import type { AppError } from '../../src/app-error.js';
import type { Client } from '../../src/db/schema.js';
import { contracts } from './support.js';

export const CHAIN_ID = 31337;
export const escrow = getAddress('0x6000000000000000000000000000000000000006');
export const payer = getAddress('0x7000000000000000000000000000000000000007');
export const payee = getAddress('0x8000000000000000000000000000000000000008');
export const paymentContracts = { ...contracts, escrow };

const unreadable = (what: string) =>
  new Proxy(
    {},
    {
      get: () => {
        throw new Error(`these checks read no ${what}`);
      },
    },
  );

/** A deployment with (or without) an escrow contract; reading its database or chain throws. */
export const deployment = ({ withEscrow = true } = {}) =>
  ({
    config: {
      chain: { chainId: CHAIN_ID },
      contracts: { ...paymentContracts, escrow: withEscrow ? escrow : undefined },
      transactions: { batchTransferMaxRecipients: 10 },
    },
    db: unreadable('database'),
    publicClient: unreadable('chain'),
  }) as unknown as AcceptContext;

export const clientWith = (settings: Partial<Client> = {}) =>
  ({ id: 'client_1', withdrawal_allowlist: null, withdrawal_limit_wei: null, withdrawal_limit_period: null, ...settings }) as Client;

export const payerRequester = (client = clientWith()): Requester => ({
  client,
  userId: 'payer',
  wallet: {} as Requester['wallet'],
  walletAddress: payer,
  token: contracts.token,
});

/** How `definition.accept` refuses `input`: its status, code and message. */
export async function refusalIn(
  ctx: AcceptContext,
  definition: Pick<OperationDefinition, 'accept'>,
  input: unknown,
  requester = payerRequester(),
): Promise<{ status: number; code: string; message: string }> {
  const refusal = (await definition.accept(ctx, input, requester).then(
    () => {
      throw new Error('accepted');
    },
    (e: unknown) => e,
  )) as AppError;
  return { status: refusal.status, code: refusal.code, message: refusal.message };
}
