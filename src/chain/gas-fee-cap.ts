// What one unit of gas of a UserOperation may cost, as the accept path reserves it from the gas budgets
// (README, Gas budgets): twice the latest base fee (room for it to rise before the worker signs) plus
// the node's priority fee. The worker pays at most its own quote and usually less: the reservation is
// an upper estimate that the actual cost replaces at settlement. Read once a second per process and
// shared, so a burst of accepts costs two RPC calls, not two per request.
import type { ChainPublicClient } from './clients.js';

export type GasFeeCap = {
  /** Wei per gas; a read at most `ttlMs` old, concurrent callers share one. */
  get(): Promise<bigint>;
};

export type ReadGasFeeCapParameters = { baseFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** 2 × base fee + priority fee: the formula, apart from the reads, so tests can compute what accept reserves. */
export const toGasFeeCap = ({ baseFeePerGas, maxPriorityFeePerGas }: ReadGasFeeCapParameters): bigint => 2n * baseFeePerGas + maxPriorityFeePerGas;

export async function readGasFeeCap(publicClient: ChainPublicClient): Promise<bigint> {
  const [block, maxPriorityFeePerGas] = await Promise.all([publicClient.getBlock({ blockTag: 'latest' }), publicClient.estimateMaxPriorityFeePerGas()]);
  return toGasFeeCap({ baseFeePerGas: block.baseFeePerGas ?? 0n, maxPriorityFeePerGas });
}

export function createGasFeeCap(publicClient: ChainPublicClient, { ttlMs = 1_000 }: { ttlMs?: number } = {}): GasFeeCap {
  let cached: { value: Promise<bigint>; at: number } | undefined;
  return {
    get() {
      const now = Date.now();
      if (cached && now - cached.at < ttlMs) return cached.value;
      const entry = { value: readGasFeeCap(publicClient), at: now };
      cached = entry;
      // A failed read is not a fee: the next caller reads again.
      entry.value.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.value;
    },
  };
}
