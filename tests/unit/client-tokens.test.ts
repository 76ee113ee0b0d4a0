// Which token a request moves: the client's own unless it names another it was given; only its own for
// a mint or a claim; each with the limits set on it.
import { getAddress } from 'viem';
import { chooseToken, clientTokensOf } from '../../src/tokens/client-tokens.js';
import type { ClientToken } from '../../src/db/schema.js';
import type { AppError } from '../../src/app-error.js';

const own = getAddress('0x1000000000000000000000000000000000000001');
const added = getAddress('0x2000000000000000000000000000000000000002');
const config = { contracts: { token: getAddress('0x9000000000000000000000000000000000000009') } } as Parameters<typeof clientTokensOf>[0];
const row = (address: string, limits: { min?: string; max?: string } = {}) =>
  ({
    client_id: 'c',
    token_address: address.toLowerCase(),
    symbol: 'T',
    name: 'Token',
    decimals: 18,
    min_amount_wei: limits.min ?? null,
    max_amount_wei: limits.max ?? null,
    added_at: new Date(),
  }) as ClientToken;
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { status: (error as AppError).status, code: (error as AppError).code, message: (error as AppError).message };
  }
  throw new Error('not refused');
};

describe('clientTokensOf', () => {
  it("puts the client's own token first, with the limits of its row, and the added ones after it", () => {
    const tokens = clientTokensOf(config, { token_address: own }, [row(added, { max: '5' }), row(own, { min: '1' })]);
    expect(tokens).toEqual([
      { address: own, own: true, minWei: 1n },
      { address: added, own: false, symbol: 'T', name: 'Token', maxWei: 5n },
    ]);
  });

  it('takes the shared token as the own one of a client registered before tokens were per client', () => {
    expect(clientTokensOf(config, { token_address: null }, [])).toEqual([{ address: config.contracts.token, own: true }]);
  });
});

describe('chooseToken', () => {
  const tokens = clientTokensOf(config, { token_address: own }, [row(added)]);

  it('is the own token when none is named, and the named one, in any case', () => {
    expect(chooseToken(tokens, undefined, { ownOnly: true }).address).toBe(own);
    expect(chooseToken(tokens, added.toLowerCase(), { ownOnly: false }).address).toBe(added);
  });

  it('refuses a token the client was not given, a non-address, and another than its own where only its own goes', () => {
    expect(refusal(() => chooseToken(tokens, getAddress('0x3000000000000000000000000000000000000003'), { ownOnly: false }))).toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
    });
    expect(refusal(() => chooseToken(tokens, 42, { ownOnly: false }))).toMatchObject({ status: 400, code: 'VALIDATION_ERROR' });
    expect(refusal(() => chooseToken(tokens, added, { ownOnly: true }))).toEqual({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: `this operation moves the client's own token ${own} only`,
    });
  });
});
