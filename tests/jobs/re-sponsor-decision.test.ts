// The pure decisions behind re-sponsoring (src/jobs/re-sponsor.ts): when a stored operation of our own
// paymaster is provably dead (userop/sponsorship/window-passed.ts), which refusals are about its window
// (userop/errors.ts), and that such a refusal is waited out only where the window can be read
// (userop/with-retries.ts; a hosted paymaster's operations keep ending FAILED as before).
import { RpcRequestError } from 'viem';
import { decideWindow } from '../../src/userop/sponsorship/window-passed.js';
import { classifyUserOpError, type UserOpFailure } from '../../src/userop/errors.js';
import { decideAfterFailure, REFUSAL_ATTEMPTS } from '../../src/userop/with-retries.js';

const validUntil = 1_000;
const at = (blockTimestamp: number, nextNonce: bigint, nonce = 7n) =>
  decideWindow({ validUntil, nonce, block: 42n, blockTimestamp: BigInt(blockTimestamp), nextNonce });

describe('whether a stored operation can never be included any more', () => {
  it('is still open while the block time is at or before validUntil (EntryPoint v0.7 accepts block.timestamp <= validUntil)', () => {
    expect(at(999, 7n)).toEqual({ state: 'open' });
    expect(at(1_000, 7n)).toEqual({ state: 'open' });
  });

  it('has passed once a block time is after validUntil with the nonce still unused at that block', () => {
    expect(at(1_001, 7n)).toEqual({ state: 'passed', block: 42n, blockTimestamp: 1_001n });
    // A lower next nonce: earlier operations of the account are still pending; this nonce is unused too.
    expect(at(5_000, 6n)).toEqual({ state: 'passed', block: 42n, blockTimestamp: 5_000n });
  });

  it('is not re-sponsored when the nonce is used at that block, whatever the time (it, or its replacement, was included)', () => {
    expect(at(1_001, 8n)).toEqual({ state: 'nonce-used' });
    expect(at(999, 8n)).toEqual({ state: 'nonce-used' });
  });
});

const bundlerUrl = 'http://bundler.test/rpc';
const answered = (code: number, message: string) =>
  new RpcRequestError({ body: { method: 'eth_sendUserOperation' }, error: { code, message }, url: bundlerUrl });

describe("a refusal for the operation's window", () => {
  it("is recognised by the ERC-7769 code -32503 (ExpiresShortly) and by the EntryPoint's AA32", () => {
    expect(classifyUserOpError(answered(-32503, 'UserOperation expires too soon, validUntil=1, now=2'), { bundlerUrl })).toMatchObject({
      kind: 'refused',
      code: 'BUNDLER_REJECTED',
      expiresSoon: true,
    });
    expect(
      classifyUserOpError(answered(-32500, 'UserOperation reverted during simulation with reason: AA32 paymaster expired or not due'), { bundlerUrl }),
    ).toMatchObject({
      kind: 'refused',
      code: 'PAYMASTER_REJECTED',
      expiresSoon: true,
    });
    expect(classifyUserOpError(answered(-32500, 'account validation failed: AA23 reverted'), { bundlerUrl })).not.toHaveProperty('expiresSoon');
  });

  const expiring: UserOpFailure = { kind: 'refused', code: 'BUNDLER_REJECTED', message: 'expires too soon', expiresSoon: true };

  it('is retried, never given up on, when the window can be read (our own paymaster)', () => {
    expect(decideAfterFailure(expiring, { attempt: 9, refusals: REFUSAL_ATTEMPTS + 5, canOutlive: true })).toMatchObject({
      action: 'retry',
      thenCheckEnded: true,
    });
  });

  it("ends the step like any refusal when it cannot (a hosted paymaster: today's behaviour)", () => {
    expect(decideAfterFailure(expiring, { attempt: 2, refusals: REFUSAL_ATTEMPTS - 1 })).toEqual({ action: 'give-up', failure: expiring });
  });
});
