// A release or a refund: one call from the payer's smart account that moves a funded escrow once, to
// the payee or back to the payer. The two differ only in the function called, the event and where the
// tokens go, so their definitions are this one, named twice. At most one of them is live or done per
// escrow (the transactions_escrow_settled_once index): a second answers 409 ESCROW_ALREADY_SETTLED,
// whichever API process takes it; one that FAILED or REVERTED leaves the escrow funded, to try again.
import { encodeFunctionData, getAddress, type Address, type Hex } from 'viem';
import { apiErrors } from '../../app-error.js';
import { chronosEscrowAbi } from '../../chain/contracts/abi.js';
import { field, isHex, isHexAddress, isString, isWeiString, type OperationDefinition } from '../types.js';
import { escrowInput, escrowOfRequest, requireFunded } from './escrow-of-request.js';
import { paymentEventData, type PaymentEventType } from './events.js';

export type EscrowSettlementParams = {
  intentId: string;
  escrowId: Hex;
  /** Where the tokens go: the payee on a release, the payer's account on a refund. */
  recipient: Address;
  amountWei: string;
  chainId: number;
  /** A refund's reason, as the client gave it. */
  reason?: string;
};

export function escrowSettlement<Type extends string>({
  type,
  operationId,
  functionName,
  event,
}: {
  type: Type;
  operationId: string;
  functionName: 'release' | 'refund';
  event: PaymentEventType;
}): OperationDefinition<EscrowSettlementParams, Type, 'payments'> {
  return {
    type,
    scope: 'payments',
    // About twice the ~75k gas one call uses on the test stack once the account exists.
    gasCeiling: 200_000n,
    operationId,
    input: escrowInput,
    anyToken: true,

    async accept(ctx, input, requester) {
      const { reason } = input as { reason?: string };
      const { intent, status } = await escrowOfRequest(ctx, input as { escrowId: string; chain?: unknown }, requester);
      requireFunded(status);
      return {
        params: {
          intentId: intent.id,
          escrowId: intent.escrow_id as Hex,
          recipient: getAddress(functionName === 'release' ? intent.payee_address : intent.payer_address),
          amountWei: intent.amount_wei,
          chainId: ctx.config.chain.chainId,
          ...(reason !== undefined && { reason }),
        },
        uniqueKey: { column: 'escrow_id', value: intent.escrow_id as Hex },
        // The escrow's token, as its intent recorded it.
        token: getAddress(intent.token_address),
      };
    },
    uniqueConflict: apiErrors.escrowAlreadySettled,

    parseParams: (value) => {
      const reason = (value as { reason?: unknown }).reason;
      return {
        intentId: field(value, 'intentId', isString),
        escrowId: field(value, 'escrowId', isHex),
        recipient: field(value, 'recipient', isHexAddress),
        amountWei: field(value, 'amountWei', isWeiString),
        chainId: field(value, 'chainId', (v): v is number => Number.isSafeInteger(v)),
        ...(typeof reason === 'string' && { reason }),
      };
    },
    buildCalls: (contracts, { escrowId }) => {
      const escrow = contracts.escrow;
      if (!escrow) throw new Error('an escrow operation without ESCROW_ADDRESS configured');
      return [{ to: escrow, data: encodeFunctionData({ abi: chronosEscrowAbi, functionName, args: [contracts.token, escrowId] }) }];
    },
    webhookData: ({ intentId, escrowId }) => ({ intentId, escrowId }),
    events: (params, transaction) =>
      transaction.status === 'CONFIRMED'
        ? [
            {
              event,
              data: {
                ...paymentEventData(params, { chainId: params.chainId, token: transaction.token_address ?? '', transaction }),
                to: params.recipient,
                ...(params.reason !== undefined && { reason: params.reason }),
              },
            },
          ]
        : [],
  };
}
