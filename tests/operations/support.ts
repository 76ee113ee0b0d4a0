// What the definitions' own tests share: contract addresses to build calls on, and an accept context
// that throws when read, for the checks that must refuse before reading the chain or the database.
import { getAddress } from 'viem';
import type { AcceptContext, OperationDefinition, Requester } from '../../src/operations/types.js';
import type { AppError } from '../../src/app-error.js';

export const contracts = {
  token: getAddress('0x1000000000000000000000000000000000000001'),
  claimVault: getAddress('0x2000000000000000000000000000000000000002'),
};

export const untouchable = new Proxy(
  {},
  {
    get: () => {
      throw new Error('these checks read nothing');
    },
  },
) as AcceptContext;

export const requester = {} as Requester;

/** How `definition.accept` refuses `body` before reading anything: its status, code and message. */
export async function refusalOf(definition: Pick<OperationDefinition, 'accept'>, body: unknown): Promise<{ status: number; code: string; message: string }> {
  const refusal = (await definition.accept(untouchable, body, requester).catch((e: unknown) => e)) as AppError;
  return { status: refusal.status, code: refusal.code, message: refusal.message };
}
