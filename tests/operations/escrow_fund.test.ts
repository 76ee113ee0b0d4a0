// The escrow_fund definition on its own: the stored params it reads back, the approve + fund calls it
// makes, the intent and event it records with a new intent, the refusals it answers before reading
// the database or the chain, and the payment.escrow.funded event it adds once CONFIRMED.
import { decodeFunctionData, erc20Abi, parseEther, zeroAddress } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { chronosEscrowAbi } from '../../src/chain/contracts/abi.js';
import type { Transaction } from '../../src/db/schema.js';
import { CHAIN_ID, deployment, escrow, payee, payer, paymentContracts, payerRequester, refusalIn } from './payments-support.js';

const { escrow_fund: escrowFund } = operations;
const escrowId = `0x${'ab'.repeat(32)}` as const;
const stored = { intentId: 'pi_01jxxxxxxxxxxxxxxxxxxxxxxx', escrowId, payee, amountWei: '40', deadline: '1800000000', chainId: CHAIN_ID };
const newIntent = { amount: '1.5', payeeAddress: payee.toLowerCase(), metadata: { description: 'Task', durationSeconds: 600 } };

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(escrowFund.parseParams(stored)).toEqual(stored);
  });

  it.each([
    ['no escrow id', { ...stored, escrowId: undefined }],
    ['a payee that is not an address', { ...stored, payee: '0x12' }],
    ['a decimal amount', { ...stored, amountWei: '1.5' }],
    ['a deadline as a number', { ...stored, deadline: 1800000000 }],
    ['no chain id', { ...stored, chainId: undefined }],
  ])('refuses %s', (_, value) => {
    expect(() => escrowFund.parseParams(value)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('approves the escrow for exactly the amount, then funds it with the payee and the deadline', () => {
    const [approve, fund] = escrowFund.buildCalls(paymentContracts, stored);
    expect(approve.to).toBe(paymentContracts.token);
    expect(decodeFunctionData({ abi: erc20Abi, data: approve.data })).toEqual({ functionName: 'approve', args: [escrow, 40n] });
    expect(fund.to).toBe(escrow);
    expect(decodeFunctionData({ abi: chronosEscrowAbi, data: fund.data })).toEqual({
      functionName: 'fund',
      args: [paymentContracts.token, escrowId, payee, 40n, 1800000000n],
    });
  });

  it('cannot be built on a deployment without an escrow contract', () => {
    expect(() => escrowFund.buildCalls({ ...paymentContracts, escrow: undefined }, stored)).toThrow('ESCROW_ADDRESS');
  });
});

describe('accept, with a new intent', () => {
  it('debits the amount, keys the operation by a fresh escrow id, and records the intent and its event with it', async () => {
    const before = Math.floor(Date.now() / 1000);
    const acceptance = await escrowFund.accept(deployment(), newIntent, payerRequester());
    expect(acceptance.debitWei).toBe(parseEther('1.5'));
    expect(acceptance.params).toMatchObject({ payee, amountWei: parseEther('1.5').toString(), chainId: CHAIN_ID });
    expect(acceptance.params.escrowId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(acceptance.params.intentId).toMatch(/^pi_[0-9a-z]{26}$/);
    expect(Number(acceptance.params.deadline) - before).toBeGreaterThanOrEqual(600);
    expect(acceptance.uniqueKey).toEqual({ column: 'escrow_id', value: acceptance.params.escrowId });
    expect(acceptance.alsoRecord).toBeInstanceOf(Function);
    expect(acceptance.acceptEvents).toEqual([
      {
        event: 'payment.intent.created',
        data: expect.objectContaining({ intentId: acceptance.params.intentId, escrowId: acceptance.params.escrowId, amount: '1.5' }),
      },
    ]);
    const again = await escrowFund.accept(deployment(), newIntent, payerRequester());
    expect(again.params.escrowId).not.toBe(acceptance.params.escrowId);
  });

  it.each([
    [{ ...newIntent, payeeAddress: undefined }, 400, 'give exactly one of payeeUserId and payeeAddress'],
    [{ ...newIntent, payeeUserId: 'payee' }, 400, 'give exactly one of payeeUserId and payeeAddress'],
    [{ ...newIntent, payeeAddress: zeroAddress }, 400, 'payeeAddress must be a non-zero 0x-prefixed 20-byte address'],
    [{ ...newIntent, payeeAddress: payer }, 400, 'the payee must not be the payer'],
    [{ ...newIntent, amount: '0' }, 400, 'amount must be a positive decimal number of tokens with at most 18 decimals, e.g. "100" or "100.5"'],
    [{ ...newIntent, userId: 'someone-else' }, 400, 'userId, when given, must be the X-User-Id user: the payer'],
    [{ ...newIntent, chain: 1 }, 400, `chain must be this deployment's chain id ${CHAIN_ID} when given`],
  ])('refuses %j', async (input, status, message) => {
    expect(await refusalIn(deployment(), escrowFund, input)).toEqual({ status, code: 'VALIDATION_ERROR', message });
  });

  it('answers 503 on a deployment without an escrow contract', async () => {
    expect(await refusalIn(deployment({ withEscrow: false }), escrowFund, newIntent)).toMatchObject({ status: 503, code: 'PAYMENTS_NOT_CONFIGURED' });
  });
});

describe('accept, for an escrow of an intent created unfunded', () => {
  it('answers 404 for an id that cannot be an escrow, without looking it up', async () => {
    expect(await refusalIn(deployment(), escrowFund, { escrowId: 'x' })).toMatchObject({ status: 404, code: 'ESCROW_NOT_FOUND' });
  });
});

describe('events', () => {
  const transaction = (status: Transaction['status']) =>
    ({ id: 'tx_1', status, token_address: paymentContracts.token, tx_hash: `0x${'cd'.repeat(32)}` }) as Transaction;

  it('adds payment.escrow.funded, with its payee and deadline, once CONFIRMED, and nothing otherwise', () => {
    const [funded] = escrowFund.events!(stored, transaction('CONFIRMED'));
    expect(funded).toMatchObject({
      event: 'payment.escrow.funded',
      data: { intentId: stored.intentId, escrowId, payee, deadline: '2027-01-15T08:00:00.000Z' },
    });
    for (const status of ['FAILED', 'REVERTED', 'EXPIRED'] as const) expect(escrowFund.events!(stored, transaction(status))).toEqual([]);
  });
});
