// The transfer definition on its own: the stored params it reads back, the call it makes, and the
// refusals it answers before anything is read from the chain or the database.
import { decodeFunctionData, erc20Abi, getAddress, parseEther, zeroAddress } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { contracts, refusalOf, requester, untouchable } from './support.js';

const { transfer } = operations;
const to = getAddress('0x3000000000000000000000000000000000000003');

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(transfer.parseParams({ to, amountWei: '1500000000000000000' })).toEqual({ to, amountWei: '1500000000000000000' });
  });

  it.each([
    ['no recipient', { amountWei: '1' }],
    ['a recipient that is not an address', { to: '0x1234', amountWei: '1' }],
    ['an amount as a number', { to, amountWei: 1 }],
    ['a decimal amount', { to, amountWei: '1.5' }],
    ['a negative amount', { to, amountWei: '-1' }],
    ['nothing', null],
  ])('refuses %s', (_, stored) => {
    expect(() => transfer.parseParams(stored)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one ERC-20 transfer on the client token', () => {
    const calls = transfer.buildCalls(contracts, { to, amountWei: '42' });
    expect(calls).toHaveLength(1);
    expect(calls[0].to).toBe(contracts.token);
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0].data })).toEqual({ functionName: 'transfer', args: [to, 42n] });
  });
});

describe('accept', () => {
  it('records the recipient checksummed and debits the amount', async () => {
    const acceptance = await transfer.accept(untouchable, { to: to.toLowerCase(), amount: '1.5' }, requester);
    expect(acceptance).toEqual({ params: { to, amountWei: parseEther('1.5').toString() }, debitWei: parseEther('1.5') });
  });

  it.each([
    [{ to: '0x1234', amount: '1' }, 'to must be a non-zero 0x-prefixed 20-byte address'],
    [{ to: zeroAddress, amount: '1' }, 'to must be a non-zero 0x-prefixed 20-byte address'],
    [{ to, amount: '0' }, 'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"'],
    [{ to, amount: '1.0000000000000000001' }, 'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"'],
  ])('refuses %j', async (body, message) => {
    expect(await refusalOf(transfer, body)).toEqual({ status: 400, code: 'VALIDATION_ERROR', message });
  });
});
