import type { Address, Hex } from 'viem';
import type { UserOpClients } from './clients.js';

/** Sends a stored, signed UserOperation exactly as stored; sending it again is harmless. */
export async function sendStoredUserOperation(
  { bundler }: UserOpClients,
  { userOp, entryPoint }: { userOp: Record<string, string>; entryPoint: Address },
): Promise<Hex> {
  return bundler.request({ method: 'eth_sendUserOperation', params: [userOp as never, entryPoint] });
}
