import { parseAbi, type Address } from 'viem';
import type { ChainPublicClient } from '../chain/clients.js';

const entryPointNonceAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);

/** Whether the EntryPoint has consumed this nonce of the account (by any UserOperation). */
export async function isNonceUsed(
  client: ChainPublicClient,
  { entryPoint, sender, nonce }: { entryPoint: Address; sender: Address; nonce: bigint },
): Promise<boolean> {
  const key = nonce >> 64n;
  const next = await client.readContract({ address: entryPoint, abi: entryPointNonceAbi, functionName: 'getNonce', args: [sender, key] });
  return next > nonce;
}
