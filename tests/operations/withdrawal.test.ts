// The withdrawal definition on its own: a transfer's call to the external address, the client's
// destination allowlist (403), the per-user value limit it hands the accept step for the current
// period, and the refusals it answers before reading the database or the chain.
import { decodeFunctionData, erc20Abi, getAddress, parseEther, zeroAddress } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { clientWith, CHAIN_ID, deployment, paymentContracts, payerRequester, refusalIn } from './payments-support.js';

const { withdrawal } = operations;
const to = getAddress('0x9000000000000000000000000000000000000009');

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(withdrawal.parseParams({ to, amountWei: '5' })).toEqual({ to, amountWei: '5' });
  });

  it('refuses a shape that is not one', () => {
    expect(() => withdrawal.parseParams({ to: 'nowhere', amountWei: '5' })).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one ERC-20 transfer to the destination, as a transfer', () => {
    const calls = withdrawal.buildCalls(paymentContracts, { to, amountWei: '5' });
    expect(calls).toHaveLength(1);
    expect(decodeFunctionData({ abi: erc20Abi, data: calls[0].data })).toEqual({ functionName: 'transfer', args: [to, 5n] });
  });
});

describe('accept', () => {
  it('debits the amount, with no value limit when the client has none', async () => {
    const acceptance = await withdrawal.accept(deployment(), { to: to.toLowerCase(), amount: '2.5' }, payerRequester());
    expect(acceptance).toEqual({ params: { to, amountWei: parseEther('2.5').toString() }, debitWei: parseEther('2.5'), valueLimit: undefined });
  });

  it("hands over the client's limit for the period it is in now, ending at the next UTC day", async () => {
    const client = clientWith({ withdrawal_limit_wei: '1000', withdrawal_limit_period: 'daily' });
    const { valueLimit } = await withdrawal.accept(deployment(), { to, amount: '1' }, payerRequester(client));
    const midnight = new Date();
    midnight.setUTCHours(24, 0, 0, 0);
    expect(valueLimit).toMatchObject({ limitWei: 1000n, until: midnight, since: new Date(midnight.getTime() - 86_400_000) });
    expect(valueLimit!.refusal(60)).toMatchObject({ status: 429, code: 'WITHDRAWAL_LIMIT_EXCEEDED', headers: { 'Retry-After': '60' } });
  });

  it('accepts a destination on the allowlist, whatever its case, and refuses one off it (403)', async () => {
    const client = clientWith({ withdrawal_allowlist: [to.toLowerCase()] });
    await expect(withdrawal.accept(deployment(), { to, amount: '1' }, payerRequester(client))).resolves.toMatchObject({ params: { to } });
    const other = getAddress('0xa00000000000000000000000000000000000000a');
    expect(await refusalIn(deployment(), withdrawal, { to: other, amount: '1' }, payerRequester(client))).toMatchObject({
      status: 403,
      code: 'WITHDRAWAL_DESTINATION_NOT_ALLOWED',
    });
  });

  it.each([
    [{ to: '0x1234', amount: '1' }, 'to must be a non-zero 0x-prefixed 20-byte address'],
    [{ to: zeroAddress, amount: '1' }, 'to must be a non-zero 0x-prefixed 20-byte address'],
    [{ to, amount: '-1' }, 'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"'],
    [{ to, amount: '1', userId: 'someone-else' }, 'userId, when given, must be the X-User-Id user'],
    [{ to, amount: '1', chain: '1' }, `chain must be this deployment's chain id ${CHAIN_ID} when given`],
  ])('refuses %j', async (input, message) => {
    expect(await refusalIn(deployment(), withdrawal, input)).toEqual({ status: 400, code: 'VALIDATION_ERROR', message });
  });
});
