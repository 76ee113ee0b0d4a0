// The arithmetic behind the provider limits: how the eth_getLogs range narrows and widens, which
// provider answers count as a range refusal, and how long a 429/5xx is waited out.
import { BaseError, HttpRequestError, InternalRpcError, LimitExceededRpcError, RpcRequestError, TimeoutError } from 'viem';
import { createLogRange, nextRange } from '../../src/tracking/log-range.js';
import { isLogRangeError } from '../../src/chain/log-range-errors.js';
import { DEFAULT_BACKOFF, backoffDelayMs, parseRetryAfterMs } from '../../src/chain/http-backoff.js';
import { isAnAnswer } from '../../src/chain/failover-transport.js';

describe('the eth_getLogs range', () => {
  it('halves on a refusal down to one block, then doubles after enough full-width successes, up to the maximum', () => {
    const range = createLogRange({ max: 1_000n, growAfter: 2 });
    expect(range.size).toBe(1_000n);
    const widths: bigint[] = [];
    while (range.shrink(range.size)) widths.push(range.size);
    expect(widths).toEqual([500n, 250n, 125n, 62n, 31n, 15n, 7n, 3n, 1n]);
    expect(range.shrink(1n)).toBe(false);

    range.succeeded(1n);
    expect(range.size).toBe(1n);
    range.succeeded(1n);
    expect(range.size).toBe(2n);
    // A read narrower than the current width (the head was near) says nothing about wider ones.
    range.succeeded(1n);
    range.succeeded(1n);
    expect(range.size).toBe(2n);
    for (let i = 0; i < 40; i++) range.succeeded(range.size);
    expect(range.size).toBe(1_000n);
  });

  it('halves what was refused, not what it would have asked for next', () => {
    const range = createLogRange({ max: 1_000n, growAfter: 2 });
    range.shrink(40n);
    expect(range.size).toBe(20n);
  });

  it('starts right after the cursor and ends at the head or the width, whichever comes first', () => {
    expect(nextRange(100n, 5_000n, 1_000n)).toEqual({ fromBlock: 101n, toBlock: 1_100n });
    expect(nextRange(100n, 105n, 1_000n)).toEqual({ fromBlock: 101n, toBlock: 105n });
    expect(nextRange(100n, 101n, 1n)).toEqual({ fromBlock: 101n, toBlock: 101n });
  });
});

describe('a range refusal', () => {
  const answer = (code: number, message: string) =>
    new RpcRequestError({ body: { method: 'eth_getLogs' }, error: { code, message }, url: 'http://rpc.example' });

  it.each([
    [-32602, 'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size'],
    [-32005, 'query returned more than 10000 results'],
    [-32614, 'eth_getLogs is limited to a 10,000 range'],
    [-32000, 'exceed maximum block range: 50000'],
    [-32600, 'block range is too wide'],
    [-32005, 'limit exceeded'],
    [-32000, 'query exceeds max results 20000, retry with the range 24383075-24383096'],
    [-32602, 'Maximum allowed number of requested blocks is 5000'],
  ])('is recognised in %s %s', (code, message) => {
    expect(isLogRangeError(new BaseError('getLogs failed', { cause: answer(code, message) }))).toBe(true);
  });

  it.each([
    [-32005, 'rate limit exceeded'],
    [-32005, 'project ID request rate exceeded, too many requests'],
    [-32603, 'upstream timeout'],
    [-32000, 'header not found'],
  ])('is not read into %s %s', (code, message) => {
    expect(isLogRangeError(answer(code, message))).toBe(false);
  });
});

describe('the wait after a 429/5xx', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');

  it('reads Retry-After as seconds or as an HTTP date, and ignores what it cannot read', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs('Wed, 02 Dec 2026 12:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfterMs('Wed, 02 Dec 2026 11:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(null, now)).toBeUndefined();
  });

  it('is at least what Retry-After asks, but never more than the cap', () => {
    expect(backoffDelayMs(0, 2_000, DEFAULT_BACKOFF, () => 0)).toBe(2_000);
    expect(backoffDelayMs(0, 2_000, DEFAULT_BACKOFF, () => 0.999)).toBeGreaterThan(2_000);
    expect(backoffDelayMs(0, 3_600_000, DEFAULT_BACKOFF, () => 0.5)).toBe(DEFAULT_BACKOFF.capMs);
  });

  it('without Retry-After, is a jittered share of a window that doubles per attempt up to the cap', () => {
    const { baseMs, capMs } = DEFAULT_BACKOFF;
    expect(backoffDelayMs(0, undefined, DEFAULT_BACKOFF, () => 0)).toBe(baseMs / 2);
    expect(backoffDelayMs(0, undefined, DEFAULT_BACKOFF, () => 0.999)).toBeLessThan(baseMs);
    expect(backoffDelayMs(3, undefined, DEFAULT_BACKOFF, () => 0)).toBe((baseMs * 8) / 2);
    expect(backoffDelayMs(30, undefined, DEFAULT_BACKOFF, () => 0.999)).toBeLessThanOrEqual(capMs);
    expect(backoffDelayMs(30, undefined, DEFAULT_BACKOFF, () => 0)).toBe(capMs / 2);
  });
});

describe("which failures of a failover list's entry are handed to the next entry", () => {
  const url = 'http://entry.test';
  const answered = (code: number, message: string) => new RpcRequestError({ body: {}, url, error: { code, message } });

  it('hands on what says the entry is down or busy', () => {
    expect(isAnAnswer(new HttpRequestError({ url, status: 429 }))).toBe(false);
    expect(isAnAnswer(new HttpRequestError({ url, status: 503 }))).toBe(false);
    expect(isAnAnswer(new HttpRequestError({ url, cause: Object.assign(new Error('fetch failed'), { code: 'ECONNREFUSED' }) }))).toBe(false);
    expect(isAnAnswer(new TimeoutError({ body: {}, url }))).toBe(false);
    expect(isAnAnswer(new InternalRpcError(answered(-32603, 'internal error')))).toBe(false);
    expect(isAnAnswer(new LimitExceededRpcError(answered(-32005, 'rate limited')))).toBe(false);
  });

  it("keeps what is a verdict every entry would give: a bundler's refusal, a revert", () => {
    expect(isAnAnswer(answered(-32500, 'AA25 invalid account nonce'))).toBe(true);
    expect(isAnAnswer(answered(-32602, 'invalid fields'))).toBe(true);
    expect(isAnAnswer(answered(3, 'execution reverted'))).toBe(true);
    expect(isAnAnswer(new InternalRpcError(answered(-32603, 'execution reverted: nope')))).toBe(true);
    // A provider's own range limit, even in a "limit exceeded" code: the tracker narrows the range at once.
    expect(isAnAnswer(new LimitExceededRpcError(answered(-32005, 'query returned more than 10000 results')))).toBe(true);
  });
});
