// An on-chain operation type: how its stored parameters are checked and which calls the user's
// smart account makes. Adding a type is one file like mint.ts plus one line in index.ts.
import type { Address, Hex } from 'viem';
import type { OperationType } from '../db/schema.js';
import type { OperationContracts } from './contracts.js';

export type Call = { to: Address; data: Hex; value?: bigint };

export type OperationDefinition<Params> = {
  type: OperationType;
  /** Asserts the stored payload: jobs may carry shapes written by an older version. */
  parseParams(value: unknown): Params;
  /** The calls executed, atomically and in order, by the user's smart account, on its client's contracts. */
  buildCalls(contracts: OperationContracts, params: Params): Call[];
};

export class InvalidParamsError extends Error {
  override name = 'InvalidParamsError';
}

export function field<T>(value: unknown, name: string, check: (v: unknown) => v is T): T {
  const v = (value as Record<string, unknown> | null)?.[name];
  if (!check(v)) throw new InvalidParamsError(`stored operation parameter '${name}' is missing or malformed`);
  return v;
}

export const isHexAddress = (v: unknown): v is Address => typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v);
export const isHex = (v: unknown): v is Hex => typeof v === 'string' && /^0x[0-9a-fA-F]*$/.test(v);
export const isWeiString = (v: unknown): v is string => typeof v === 'string' && /^\d{1,78}$/.test(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
