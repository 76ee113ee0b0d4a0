// The bundler/paymaster retry policy, decided from the classified failure alone: which failures count
// as sent, which are retried (and after how long), which end the transaction FAILED, and which are
// bugs thrown at once.
import { BaseError } from 'viem';
import type { UserOpFailure } from '../../src/userop/errors.js';
import { decideAfterFailure, MAX_BACKOFF_MS, REFUSAL_ATTEMPTS, withRetries, type RetryContext } from '../../src/userop/with-retries.js';
import { countsAsSent } from '../../src/userop/send.js';

const unavailable: UserOpFailure = { kind: 'unavailable', part: 'bundler', message: 'fetch failed' };
const refused: UserOpFailure = { kind: 'refused', code: 'BUNDLER_REJECTED', message: 'no' };
const alreadyKnown: UserOpFailure = { kind: 'already-known', message: 'already known' };
const nonceUsed: UserOpFailure = { kind: 'nonce-used', message: 'AA25 invalid account nonce' };
const unexpected: UserOpFailure = { kind: 'unexpected', message: 'bug' };

describe('after a failed attempt', () => {
  it.each([
    ['an unexpected failure (a bug) is thrown, never retried', unexpected, 0, 0, undefined, { action: 'throw' }],
    ['a send the bundler already has counts as sent', alreadyKnown, 0, 0, countsAsSent, { action: 'accept' }],
    ['a send whose nonce is used counts as sent', nonceUsed, 0, 0, countsAsSent, { action: 'accept' }],
    [
      '"already known" outside a send is retried like an unavailable part, without looking whether it ended',
      alreadyKnown,
      2,
      0,
      undefined,
      { action: 'retry', delayMs: 800, thenCheckEnded: false },
    ],
    [
      'an unreachable part is retried with doubling pauses, then looks whether the transaction ended',
      unavailable,
      0,
      0,
      undefined,
      { action: 'retry', delayMs: 200, thenCheckEnded: true },
    ],
    ['the pause for an unreachable part is capped', unavailable, 10, 0, undefined, { action: 'retry', delayMs: MAX_BACKOFF_MS, thenCheckEnded: true }],
    ['a first refusal is retried shortly (state may change)', refused, 0, 0, undefined, { action: 'retry', delayMs: 300, thenCheckEnded: false }],
    ['a refusal is retried until the last allowed one', refused, 1, REFUSAL_ATTEMPTS - 2, undefined, { action: 'retry', delayMs: 300, thenCheckEnded: false }],
    ['the last allowed refusal gives up', refused, 2, REFUSAL_ATTEMPTS - 1, undefined, { action: 'give-up', failure: refused }],
    ['a refusal is not accepted as sent', refused, 2, REFUSAL_ATTEMPTS - 1, countsAsSent, { action: 'give-up', failure: refused }],
  ] as const)('%s', (_what, failure, attempt, refusals, accept, decision) => {
    expect(decideAfterFailure(failure, { attempt, refusals, accept })).toEqual(decision);
  });
});

describe('a step run with retries', () => {
  const urls = { bundlerUrl: 'http://bundler.test/', paymasterUrl: 'http://paymaster.test/' };
  const silent = { warn() {}, info() {}, debug() {}, error() {}, child: () => silent } as unknown as RetryContext['log'];
  /** A bundler's JSON-RPC answer, as viem wraps it: it carries a numeric code and the bundler's URL. */
  const answer = (message: string) => Object.assign(new BaseError(message), { code: -32602, url: urls.bundlerUrl });

  function context() {
    const failed: UserOpFailure[] = [];
    const ctx: RetryContext = { urls, log: silent, checkShutdown() {}, ended: async () => false, fail: async (f) => void failed.push(f) };
    return { ctx, failed };
  }

  it('returns the value once an attempt succeeds', async () => {
    const { ctx, failed } = context();
    let calls = 0;
    const result = await withRetries(ctx, {
      step: 'send',
      run: async () => {
        if (++calls === 1) throw answer('UserOperation reverted during simulation with reason: AA23 reverted');
        return 'sent';
      },
    });
    expect(result).toEqual({ ok: true, value: 'sent' });
    expect(calls).toBe(2);
    expect(failed).toEqual([]);
  });

  it('after the allowed refusals ends the transaction FAILED with the refusal, or leaves it when told not to', async () => {
    for (const failTransaction of [true, false]) {
      const { ctx, failed } = context();
      let calls = 0;
      const result = await withRetries(ctx, {
        step: 'send',
        failTransaction,
        run: async () => {
          calls++;
          throw answer('invalid fields');
        },
      });
      expect(result).toEqual({ ok: false });
      expect(calls).toBe(REFUSAL_ATTEMPTS);
      expect(failed).toEqual(failTransaction ? [expect.objectContaining({ kind: 'refused' })] : []);
    }
  });

  it('asks whether the step happened anyway before a lasting refusal fails the transaction', async () => {
    for (const happened of [true, false]) {
      const { ctx, failed } = context();
      let asked = 0;
      const result = await withRetries(ctx, {
        step: 'send',
        run: () => Promise.reject(answer('AA10 sender already constructed')),
        doneAnyway: async () => {
          asked++;
          return happened;
        },
      });
      expect(asked).toBe(1);
      expect(result).toEqual(happened ? { ok: true } : { ok: false });
      expect(failed).toEqual(happened ? [] : [expect.objectContaining({ kind: 'refused' })]);
    }
  });

  it('counts "already known" as sent when the step accepts it', async () => {
    const { ctx } = context();
    const result = await withRetries(ctx, { step: 'send', accept: countsAsSent, run: () => Promise.reject(answer('already known')) });
    expect(result).toEqual({ ok: true });
  });

  it('throws what is no answer from a remote part', async () => {
    const { ctx } = context();
    await expect(withRetries(ctx, { step: 'send', run: () => Promise.reject(new TypeError('x is undefined')) })).rejects.toThrow('x is undefined');
  });

  it('stops without failing when the worker shuts down', async () => {
    const { ctx, failed } = context();
    ctx.checkShutdown = () => {
      throw new Error('shutting down');
    };
    await expect(withRetries(ctx, { step: 'send', run: async () => 'never' })).rejects.toThrow('shutting down');
    expect(failed).toEqual([]);
  });
});
