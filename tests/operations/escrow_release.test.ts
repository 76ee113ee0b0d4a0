// The escrow_release definition on its own: the stored params it reads back, the one ChronosEscrow call
// it makes, the refusals it answers before reading the database, and the payment.funds.released event once CONFIRMED.
import { decodeFunctionData } from 'viem';
import { operations } from '../../src/operations/index.js';
import { InvalidParamsError } from '../../src/operations/types.js';
import { chronosEscrowAbi } from '../../src/chain/contracts/abi.js';
import type { Transaction } from '../../src/db/schema.js';
import { CHAIN_ID, deployment, escrow, payee, paymentContracts, refusalIn } from './payments-support.js';

const definition = operations.escrow_release;
const escrowId = `0x${'ab'.repeat(32)}` as const;
const stored = { intentId: 'pi_01jxxxxxxxxxxxxxxxxxxxxxxx', escrowId, recipient: payee, amountWei: '40', chainId: CHAIN_ID };

describe('parseParams', () => {
  it('reads back the stored shape', () => {
    expect(definition.parseParams(stored)).toEqual(stored);
  });

  it.each([
    ['no escrow id', { ...stored, escrowId: undefined }],
    ['a recipient that is not an address', { ...stored, recipient: '0x12' }],
    ['an amount as a number', { ...stored, amountWei: 40 }],
  ])('refuses %s', (_, value) => {
    expect(() => definition.parseParams(value)).toThrow(InvalidParamsError);
  });
});

describe('buildCalls', () => {
  it('is one release of the escrow on the client token', () => {
    const calls = definition.buildCalls(paymentContracts, stored);
    expect(calls).toHaveLength(1);
    expect(calls[0].to).toBe(escrow);
    expect(decodeFunctionData({ abi: chronosEscrowAbi, data: calls[0].data })).toEqual({ functionName: 'release', args: [paymentContracts.token, escrowId] });
  });
});

describe('accept', () => {
  it.each([
    [{ escrowId: 'x' }, 404, 'ESCROW_NOT_FOUND'],
    [{ escrowId, chain: 1 }, 400, 'VALIDATION_ERROR'],
    [{ escrowId, token: paymentContracts.claimVault }, 400, 'VALIDATION_ERROR'],
  ])('refuses %j before looking the escrow up', async (input, status, code) => {
    expect(await refusalIn(deployment(), definition, input)).toMatchObject({ status, code });
  });

  it('answers 503 on a deployment without an escrow contract', async () => {
    expect(await refusalIn(deployment({ withEscrow: false }), definition, { escrowId })).toMatchObject({ status: 503, code: 'PAYMENTS_NOT_CONFIGURED' });
  });
});

describe('events', () => {
  const transaction = (status: Transaction['status']) =>
    ({ id: 'tx_1', status, token_address: paymentContracts.token, tx_hash: `0x${'cd'.repeat(32)}` }) as Transaction;

  it('adds payment.funds.released, naming where the tokens went, once CONFIRMED, and nothing otherwise', () => {
    const [event] = definition.events!(stored, transaction('CONFIRMED'));
    expect(event).toMatchObject({ event: 'payment.funds.released', data: { intentId: stored.intentId, escrowId, to: payee } });
    for (const status of ['FAILED', 'REVERTED', 'EXPIRED'] as const) expect(definition.events!(stored, transaction(status))).toEqual([]);
  });
});
