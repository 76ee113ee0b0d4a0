// How wide a block range the tracker asks eth_getLogs for: as wide as allowed (MAX) until a provider
// refuses a range, then half as wide each time (down to one block), and twice as wide again after a
// few successes at the current width, so that a limit that was lifted, or that only bit a dense
// stretch of blocks, does not keep the tracker slow for good.

export type LogRange = {
  /** The width to ask for next, in blocks (1..max). */
  readonly size: bigint;
  /** A range of `width` blocks was refused: half that from now on. False when it was one block (nothing narrower to try). */
  shrink(width: bigint): boolean;
  /** A range of `width` blocks was read. Only ranges of the full current width count towards growing. */
  succeeded(width: bigint): void;
};

export type LogRangeParameters = {
  max: bigint;
  /** Consecutive full-width successes before the width doubles. */
  growAfter: number;
};

export function createLogRange({ max, growAfter }: LogRangeParameters): LogRange {
  let size = max;
  let successes = 0;
  return {
    get size() {
      return size;
    },
    shrink(width) {
      successes = 0;
      if (width <= 1n) return false;
      size = width / 2n;
      return true;
    },
    succeeded(width) {
      if (width < size || size >= max) return;
      successes++;
      if (successes < growAfter) return;
      successes = 0;
      size = size * 2n > max ? max : size * 2n;
    },
  };
}

/** The range after `cursor` (the last block read) that is at most `size` wide and ends no later than `latest`. */
export function nextRange(cursor: bigint, latest: bigint, size: bigint): { fromBlock: bigint; toBlock: bigint } {
  const fromBlock = cursor + 1n;
  const widest = fromBlock + size - 1n;
  return { fromBlock, toBlock: widest < latest ? widest : latest };
}
