// Whether a stored operation sponsored by our own paymaster can never be included any more. EntryPoint
// v0.7 takes a sponsorship while block.timestamp <= validUntil, and each nonce once. So once one block B
// has a timestamp past validUntil AND the operation's nonce still unused at B, no later block can
// include it: timestamps only grow, and an unused nonce at B means it was not included up to B.
// Both facts are read at the same block; a nonce read at "latest" a moment later could belong to a
// block that included it, or one whose timestamp we never saw.
import { parseAbi, type Address } from 'viem';
import type { ChainPublicClient } from '../../chain/clients.js';

const entryPointNonceAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);

/** What one block says about a stored operation's sponsorship. */
export type WindowState =
  /** Still includable: the chain's clock has not passed validUntil. */
  | { state: 'open' }
  /** Its nonce was used (by it, its replacement, or anything else): nothing to re-sponsor. */
  | { state: 'nonce-used' }
  /** Provably dead at `block`: a new operation with the same nonce may be built. */
  | { state: 'passed'; block: bigint; blockTimestamp: bigint };

/** The pure decision, given one block's timestamp and the account's next nonce at that block. */
export function decideWindow({
  validUntil,
  nonce,
  block,
  blockTimestamp,
  nextNonce,
}: {
  validUntil: number | bigint;
  nonce: bigint;
  block: bigint;
  blockTimestamp: bigint;
  /** EntryPoint.getNonce(sender, key of `nonce`) at `block`. */
  nextNonce: bigint;
}): WindowState {
  if (nextNonce > nonce) return { state: 'nonce-used' };
  if (blockTimestamp <= BigInt(validUntil)) return { state: 'open' };
  return { state: 'passed', block, blockTimestamp };
}

/** Reads the latest block and the sender's nonce at that very block, and decides. */
export async function readWindowState(
  client: ChainPublicClient,
  { entryPoint, userOp, validUntil }: { entryPoint: Address; userOp: Record<string, string>; validUntil: number },
): Promise<WindowState> {
  const nonce = BigInt(userOp.nonce);
  const latest = await client.getBlock({ blockTag: 'latest' });
  const nextNonce = await client.readContract({
    address: entryPoint,
    abi: entryPointNonceAbi,
    functionName: 'getNonce',
    args: [userOp.sender as Address, nonce >> 64n],
    blockNumber: latest.number,
  });
  return decideWindow({ validUntil, nonce, block: latest.number, blockTimestamp: latest.timestamp, nextNonce });
}
