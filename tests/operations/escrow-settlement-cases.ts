// The cases a release and a refund definition share (src/operations/escrow/settlement.ts builds both):
// the stored params they read back, the one ChronosEscrow call, the refusals answered before reading
// the database, and their payment event once CONFIRMED. Each type's own file runs them with its names.
import { decodeFunctionData, type Address } from 'viem';
import { InvalidParamsError, type OperationDefinition } from '../../src/operations/types.js';
import type { EscrowSettlementParams } from '../../src/operations/escrow/settlement.js';
import { chronosEscrowAbi } from '../../src/chain/contracts/abi.js';
import type { Transaction } from '../../src/db/schema.js';
import { CHAIN_ID, deployment, escrow, paymentContracts, refusalIn } from './payments-support.js';

export function describeSettlement({
  definition,
  functionName,
  event,
  recipient,
  reason,
}: {
  definition: OperationDefinition<EscrowSettlementParams>;
  functionName: 'release' | 'refund';
  event: string;
  recipient: Address;
  reason?: string;
}): void {
  const escrowId = `0x${'ab'.repeat(32)}` as const;
  const stored: EscrowSettlementParams = {
    intentId: 'pi_01jxxxxxxxxxxxxxxxxxxxxxxx',
    escrowId,
    recipient,
    amountWei: '40',
    chainId: CHAIN_ID,
    ...(reason !== undefined && { reason }),
  };

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
    it(`is one ${functionName} of the escrow on the client token`, () => {
      const calls = definition.buildCalls(paymentContracts, stored);
      expect(calls).toHaveLength(1);
      expect(calls[0].to).toBe(escrow);
      expect(decodeFunctionData({ abi: chronosEscrowAbi, data: calls[0].data })).toEqual({ functionName, args: [paymentContracts.token, escrowId] });
    });
  });

  describe('accept', () => {
    it.each([
      [{ escrowId: 'x' }, 404, 'ESCROW_NOT_FOUND'],
      [{ escrowId, chain: 1 }, 400, 'VALIDATION_ERROR'],
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

    it(`adds ${event}, naming where the tokens went, once CONFIRMED, and nothing otherwise`, () => {
      const [added] = definition.events!(stored, transaction('CONFIRMED'));
      expect(added).toMatchObject({ event, data: { intentId: stored.intentId, escrowId, to: recipient, ...(reason !== undefined && { reason }) } });
      for (const status of ['FAILED', 'REVERTED', 'EXPIRED'] as const) expect(definition.events!(stored, transaction(status))).toEqual([]);
    });
  });
}
