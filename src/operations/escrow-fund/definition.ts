// Funding an escrow: approve + fund in one UserOperation from the payer's smart account, so ChronosEscrow
// pulls exactly the amount, atomically (as a claim does). Accepted either with a new payment intent
// (POST /payments/intents, which records the intent in the same database transaction) or for an intent
// created unfunded (POST /payments/escrows/{id}/fund). The amount is debited from the payer's balance
// while the funding is in flight; once CONFIRMED it is in the escrow on-chain.
import { randomBytes } from 'node:crypto';
import { encodeFunctionData, erc20Abi, getAddress, isAddress, zeroAddress, type Address, type Hex } from 'viem';
import { monotonicFactory } from 'ulid';
import { apiErrors } from '../../app-error.js';
import { parseTokenAmount } from '../../chain/token-units.js';
import { chronosEscrowAbi } from '../../chain/contracts/abi.js';
import { findWallet } from '../../db/wallets.js';
import { insertPaymentIntent } from '../../db/payment-intents.js';
import { checkAmountLimits, checkChainAndToken, INVALID_TOKEN_AMOUNT, numbersToStrings } from '../request-values.js';
import { field, isHex, isHexAddress, isString, isWeiString, type AcceptContext, type Acceptance, type OperationDefinition, type Requester } from '../types.js';
import { escrowContract, escrowInput, escrowOfRequest } from '../escrow/escrow-of-request.js';
import { paymentEventData } from '../escrow/events.js';
import { ESCROW_FUND_TYPE } from './type.js';

export type EscrowFundParams = {
  intentId: string;
  escrowId: Hex;
  payee: Address;
  amountWei: string;
  /** Unix seconds: the escrow's on-chain deadline, fixed when the funding is accepted. */
  deadline: string;
  chainId: number;
};

/** What POST /payments/intents takes (the body, validated by openapi.json). */
export type NewIntentRequest = {
  userId?: string;
  amount: string;
  token?: string;
  chain?: unknown;
  payeeUserId?: string;
  payeeAddress?: string;
  metadata: { description?: string; durationSeconds: number };
  fund?: boolean;
};

const ulid = monotonicFactory();
/** `pi_` + a lower-case ULID, as transaction ids are `tx_` + one. */
export const newIntentId = () => `pi_${ulid().toLowerCase()}`;
export const INTENT_ID = /^pi_[0-9a-z]{26}$/;
/** A fresh on-chain id: 32 random bytes, so no client can guess or take another's. */
export const newEscrowId = (): Hex => `0x${randomBytes(32).toString('hex')}`;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The intent a new-intent request describes, checked: who pays (the X-User-Id user), whom (a user of
 * the same client, or an address), how much and for how long. Shared by the funded and unfunded paths.
 */
export async function checkNewIntent(ctx: AcceptContext, body: NewIntentRequest, requester: Requester) {
  escrowContract(ctx);
  checkChainAndToken(body, { chainId: ctx.config.chain.chainId, clientToken: requester.token });
  if (body.userId !== undefined && body.userId !== requester.userId) throw apiErrors.validation('userId, when given, must be the X-User-Id user: the payer');
  const amountWei = parseTokenAmount(body.amount);
  if (amountWei === undefined) throw apiErrors.validation(INVALID_TOKEN_AMOUNT);
  checkAmountLimits(amountWei, requester);
  if ((body.payeeUserId === undefined) === (body.payeeAddress === undefined)) throw apiErrors.validation('give exactly one of payeeUserId and payeeAddress');
  let payee: Address;
  if (body.payeeUserId !== undefined) {
    const wallet = await findWallet(ctx.db, { clientId: requester.client.id, userId: body.payeeUserId });
    if (!wallet) throw apiErrors.walletNotFound();
    payee = getAddress(wallet.address);
  } else {
    if (!isAddress(body.payeeAddress!, { strict: false }) || getAddress(body.payeeAddress!) === zeroAddress)
      throw apiErrors.validation('payeeAddress must be a non-zero 0x-prefixed 20-byte address');
    payee = getAddress(body.payeeAddress!);
  }
  if (payee === requester.walletAddress) throw apiErrors.validation('the payee must not be the payer');
  return {
    id: newIntentId(),
    client_id: requester.client.id,
    escrow_id: newEscrowId(),
    payer_user_id: requester.userId,
    payer_address: requester.walletAddress,
    payee_user_id: body.payeeUserId ?? null,
    payee_address: payee,
    token_address: requester.token,
    amount_wei: amountWei,
    description: body.metadata.description ?? null,
    duration_seconds: body.metadata.durationSeconds,
  };
}

type FundedIntent = { id: string; escrow_id: string; payee_address: string; amount_wei: string | bigint; duration_seconds: number; token_address: string };

function funding(ctx: AcceptContext, intent: FundedIntent): Acceptance<EscrowFundParams> {
  const escrowId = intent.escrow_id as Hex;
  const params: EscrowFundParams = {
    intentId: intent.id,
    escrowId,
    payee: getAddress(intent.payee_address),
    amountWei: String(intent.amount_wei),
    deadline: String(nowSeconds() + intent.duration_seconds),
    chainId: ctx.config.chain.chainId,
  };
  // The intent's token: the one it was created in, whichever the funding request names.
  return { params, debitWei: BigInt(intent.amount_wei), uniqueKey: { column: 'escrow_id', value: escrowId }, token: getAddress(intent.token_address) };
}

export const escrowFund: OperationDefinition<EscrowFundParams, typeof ESCROW_FUND_TYPE, 'payments'> = {
  type: ESCROW_FUND_TYPE,
  scope: 'payments',
  // About twice the approve + fund it uses on the test stack once the account exists (a new escrow's
  // storage slots are most of it).
  gasCeiling: 450_000n,
  operationId: 'fundEscrow',
  operationIdWithoutPathId: 'createPaymentIntent',
  // `amount` may be given as a number, as everywhere.
  precheck: numbersToStrings(['amount']),
  anyToken: true,
  input: (req) => (req.params.id === undefined ? req.body : escrowInput(req)),

  async accept(ctx, input, requester) {
    if ((input as { escrowId?: string }).escrowId === undefined) {
      // POST /payments/intents: the intent is recorded with its funding, in the accept transaction.
      const intent = await checkNewIntent(ctx, input as NewIntentRequest, requester);
      return {
        ...funding(ctx, intent),
        alsoRecord: async (trx) => {
          await insertPaymentIntent(trx, intent);
        },
        acceptEvents: [
          {
            event: 'payment.intent.created',
            data: paymentEventData(
              { intentId: intent.id, escrowId: intent.escrow_id, amountWei: String(intent.amount_wei) },
              { chainId: ctx.config.chain.chainId, token: intent.token_address },
            ),
          },
        ],
      };
    }
    const { intent, status } = await escrowOfRequest(ctx, input as { escrowId: string; chain?: unknown }, requester);
    if (status !== 'created' && status !== 'failed') throw apiErrors.escrowAlreadyFunded();
    return funding(ctx, intent);
  },
  uniqueConflict: apiErrors.escrowAlreadyFunded,

  parseParams: (value) => ({
    intentId: field(value, 'intentId', isString),
    escrowId: field(value, 'escrowId', isHex),
    payee: field(value, 'payee', isHexAddress),
    amountWei: field(value, 'amountWei', isWeiString),
    deadline: field(value, 'deadline', isWeiString),
    chainId: field(value, 'chainId', (v): v is number => Number.isSafeInteger(v)),
  }),
  buildCalls: (contracts, { escrowId, payee, amountWei, deadline }) => {
    const escrow = contracts.escrow;
    if (!escrow) throw new Error('an escrow operation without ESCROW_ADDRESS configured');
    return [
      { to: contracts.token, data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [escrow, BigInt(amountWei)] }) },
      {
        to: escrow,
        data: encodeFunctionData({
          abi: chronosEscrowAbi,
          functionName: 'fund',
          args: [contracts.token, escrowId, payee, BigInt(amountWei), BigInt(deadline)],
        }),
      },
    ];
  },
  webhookData: ({ intentId, escrowId }) => ({ intentId, escrowId }),
  events: (params, transaction) =>
    transaction.status === 'CONFIRMED'
      ? [
          {
            event: 'payment.escrow.funded',
            data: {
              ...paymentEventData(params, { chainId: params.chainId, token: transaction.token_address ?? '', transaction }),
              payee: params.payee,
              deadline: new Date(Number(params.deadline) * 1000).toISOString(),
            },
          },
        ]
      : [],
};
