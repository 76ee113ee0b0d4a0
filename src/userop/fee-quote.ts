// The fee quote, shared for a moment by every operation this process prepares. Bundlers accept a
// quote for a while after giving it (alto: `--gas-price-expiry`, 20 s by default), so asking once per
// second instead of once per operation changes nothing on the chain and saves a bundler round trip
// (and the bundler's own calls to the node) for every operation beyond the first each second.

/** What a UserOperation offers to pay per gas. */
export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

export type FeeQuote = {
  /** A quote at most `ttlMs` old; concurrent callers share one request. */
  get(): Promise<Fees>;
  /** Drops the cached quote (e.g. after the bundler refused something): the next get() asks afresh. */
  invalidate(): void;
};

export function createFeeQuote(fetchFees: () => Promise<Fees>, { ttlMs = 1_000 }: { ttlMs?: number } = {}): FeeQuote {
  let cached: { fees: Promise<Fees>; at: number } | undefined;
  return {
    get() {
      const now = Date.now();
      if (cached && now - cached.at < ttlMs) return cached.fees;
      const entry = { fees: fetchFees(), at: now };
      cached = entry;
      // A failed request is not a quote: the next caller asks again.
      entry.fees.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.fees;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
