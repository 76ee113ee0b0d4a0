// The payout definition on its own: the stored params it reads back, the calls it makes (one ERC-20
// transfer per recipient, in order), what it adds to its webhook, and the refusals it answers before
// anything is read from the chain or the database.
import { decodeFunctionData, erc20Abi, getAddress, parseEther, zeroAddress } from 'viem';
import { operations, OPERATION_TYPES } from '../../src/operations/index.js';
import { InvalidParamsError, type AcceptContext } from '../../src/operations/types.js';
import { payoutGasCeiling } from '../../src/operations/payout/definition.js';
import type { Transaction } from '../../src/db/schema.js';
import { contracts, requester } from './support.js';

const { payout } = operations;
const [a, b, c] = [
  '0x3000000000000000000000000000000000000003',
  '0x4000000000000000000000000000000000000004',
  '0x5000000000000000000000000000000000000005',
].map((x) => getAddress(x));

/** Reads nothing but the recipient limit: these checks need no chain and no database. */
const withMax = (batchTransferMaxRecipients: number) => ({ config: { transactions: { batchTransferMaxRecipients } } }) as AcceptContext;
const ctx = withMax(3);

async function refusal(body: unknown) {
  const error = (await payout.accept(ctx, body, requester).catch((e: unknown) => e)) as { status: number; code: string; message: string };
  return { status: error.status, code: error.code, message: error.message };
}

describe('the type', () => {
  it('needs the transfer scope and counts in the transfer quota, a type of the registry', () => {
    expect(payout.scope).toBe('transfer');
    expect(OPERATION_TYPES as readonly string[]).toContain(payout.countsAs);
  });
});

describe('accept', () => {
  it('debits the sum, counts one transfer per recipient, sizes its gas ceiling by them, and keeps the order', async () => {
    const acceptance = await payout.accept(
      ctx,
      {
        transfers: [
          { to: b.toLowerCase(), amount: '1.5' },
          { to: a, amount: '2' },
        ],
      },
      requester,
    );
    expect(acceptance).toEqual({
      params: {
        transfers: [
          { to: b, amountWei: parseEther('1.5').toString() },
          { to: a, amountWei: parseEther('2').toString() },
        ],
      },
      debitWei: parseEther('3.5'),
      countsAsUnits: 2,
      gasCeiling: payoutGasCeiling(2),
    });
  });

  it('allows a recipient more than once: each entry is its own transfer, and the debit is their sum', async () => {
    const acceptance = await payout.accept(
      ctx,
      {
        transfers: [
          { to: a, amount: '1' },
          { to: a, amount: '1' },
        ],
      },
      requester,
    );
    expect(acceptance.debitWei).toBe(parseEther('2'));
    expect(acceptance.countsAsUnits).toBe(2);
  });

  it('accepts exactly BATCH_TRANSFER_MAX_RECIPIENTS recipients and refuses one more', async () => {
    const three = [a, b, c].map((to) => ({ to, amount: '1' }));
    expect((await payout.accept(ctx, { transfers: three }, requester)).countsAsUnits).toBe(3);
    expect(await refusal({ transfers: [...three, { to: a, amount: '1' }] })).toEqual({
      status: 400,
      code: 'VALIDATION_ERROR',
      message: 'transfers lists 4 recipients; at most 3 are allowed (BATCH_TRANSFER_MAX_RECIPIENTS)',
    });
  });

  it.each([
    [[], 'transfers must list at least one recipient'],
    [
      [
        { to: a, amount: '1' },
        { to: '0x1234', amount: '1' },
      ],
      'transfers[1].to must be a non-zero 0x-prefixed 20-byte address',
    ],
    [
      [
        { to: a, amount: '1' },
        { to: b, amount: '1' },
        { to: zeroAddress, amount: '1' },
      ],
      'transfers[2].to must be a non-zero 0x-prefixed 20-byte address',
    ],
    [[{ to: a, amount: '0' }], 'transfers[0].amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"'],
    [
      [
        { to: a, amount: '1' },
        { to: b, amount: '1.0000000000000000001' },
      ],
      'transfers[1].amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"',
    ],
  ])('refuses %j naming the entry', async (transfers, message) => {
    expect(await refusal({ transfers })).toEqual({ status: 400, code: 'VALIDATION_ERROR', message });
  });
});

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    const stored = { transfers: [{ to: a, amountWei: '1' }] };
    expect(payout.parseParams(stored)).toEqual(stored);
  });

  it.each([
    ['no transfers', {}],
    ['no recipient at all', { transfers: [] }],
    [
      'a recipient that is not an address',
      {
        transfers: [
          { to: a, amountWei: '1' },
          { to: '0x12', amountWei: '1' },
        ],
      },
    ],
    ['an amount as a number', { transfers: [{ to: a, amountWei: 1 }] }],
    ['nothing', null],
  ])('refuses %s', (_, stored) => {
    expect(() => payout.parseParams(stored)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one ERC-20 transfer on the client token per recipient, in order', () => {
    const calls = payout.buildCalls(contracts, {
      transfers: [
        { to: b, amountWei: '7' },
        { to: a, amountWei: '42' },
        { to: b, amountWei: '1' },
      ],
    });
    expect(calls.map((call) => call.to)).toEqual([contracts.token, contracts.token, contracts.token]);
    expect(calls.map((call) => decodeFunctionData({ abi: erc20Abi, data: call.data }))).toEqual([
      { functionName: 'transfer', args: [b, 7n] },
      { functionName: 'transfer', args: [a, 42n] },
      { functionName: 'transfer', args: [b, 1n] },
    ]);
  });
});

describe('webhookData', () => {
  it('lists every recipient with its amount in token units', () => {
    const params = {
      transfers: [
        { to: a, amountWei: parseEther('1.5').toString() },
        { to: b, amountWei: parseEther('100').toString() },
      ],
    };
    expect(payout.webhookData!(params, {} as Transaction)).toEqual({
      transfers: [
        { to: a, amount: '1.5' },
        { to: b, amount: '100' },
      ],
    });
  });
});

describe('gas ceiling', () => {
  it('grows with the recipients, and one recipient is the definition’s own', () => {
    expect(payoutGasCeiling(100)).toBeGreaterThan(payoutGasCeiling(99));
    expect(payout.gasCeiling).toBe(payoutGasCeiling(1));
  });
});
