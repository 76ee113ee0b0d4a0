// A mint: the client's signed authorization (ChronosToken.mintWithSignature), relayed by the user's own
// smart account. Its receipt mints once per token, its nonce orders a user's mints, and past its
// expiryBlock it can no longer execute.
import { encodeFunctionData, getAddress, isAddress, recoverMessageAddress, type Address, type Hex } from 'viem';
import { apiErrors } from '../../app-error.js';
import { chronosTokenAbi } from '../../chain/contracts/abi.js';
import { EXTERNAL_ID, numbersToStrings } from '../request-values.js';
import { field, isHex, isHexAddress, isString, isWeiString, type OperationDefinition } from '../types.js';
import { MINT_TYPE } from './type.js';
import { receiptHashOf, requireReceiptUnused, signatureShapeProblem } from './checks.js';
import { mintMessageHash } from './message-hash.js';

export type MintParams = {
  to: Address;
  receiptId: string;
  amountWei: string;
  expiryBlock: string;
  nonce: string;
  signature: Hex;
};

type MintBody = { receiptId: string; amount: string; signature: string; expiryBlock: string; nonce: string };

const UINT = /^(0|[1-9]\d{0,77})$/;
const MAX_UINT256 = 2n ** 256n - 1n;

function uint(name: string, value: string): bigint {
  if (!UINT.test(value) || BigInt(value) > MAX_UINT256) throw apiErrors.validation(`${name} must be a non-negative integer (decimal string)`);
  return BigInt(value);
}

export const mint: OperationDefinition<MintParams, typeof MINT_TYPE> = {
  type: MINT_TYPE,
  scope: MINT_TYPE,
  // About twice the 155k–173k gas it uses on the test stack once the account exists.
  gasCeiling: 350_000n,
  operationId: 'executeMint',
  precheck: numbersToStrings(['amount', 'expiryBlock', 'nonce']),

  async accept(ctx, given, { client, walletAddress, token }) {
    const body = given as MintBody;
    if (!EXTERNAL_ID.test(body.receiptId)) throw apiErrors.validation('receiptId must be 1-256 characters: letters, digits, dashes and underscores');
    const amount = uint('amount', body.amount);
    if (amount === 0n) throw apiErrors.validation('amount must be greater than 0 (in wei)');
    const expiryBlock = uint('expiryBlock', body.expiryBlock);
    const nonce = uint('nonce', body.nonce);
    if (!/^0x[0-9a-fA-F]{130}$/.test(body.signature)) throw apiErrors.validation('signature must be 65 bytes as 0x-prefixed hex');
    const signature = body.signature as Hex;
    const shapeProblem = signatureShapeProblem(signature);
    if (shapeProblem) throw apiErrors.invalidSignature(shapeProblem);

    const block = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
    if (expiryBlock <= block) throw apiErrors.mintExpired(`expiryBlock ${expiryBlock} has passed (current block ${block}); call /mint/prepare again`);

    if (!client.signer_address || !isAddress(client.signer_address)) throw apiErrors.invalidSignature('no mint signer is registered for this client');
    const hash = mintMessageHash({ token, chainId: ctx.config.chain.chainId, to: walletAddress, receiptId: body.receiptId, amount, expiryBlock, nonce });
    const recovered = await recoverMessageAddress({ message: { raw: hash }, signature }).catch(() => undefined);
    if (!recovered || recovered !== getAddress(client.signer_address))
      throw apiErrors.invalidSignature('the signature does not recover to the registered signer over the documented messageHash');
    const authorized = await ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [recovered] });
    if (!authorized) throw apiErrors.invalidSignature(`signer ${recovered} is not authorized on ChronosToken ${token}`);
    await requireReceiptUnused(ctx, { token, receiptId: body.receiptId });

    return {
      params: {
        to: walletAddress,
        receiptId: body.receiptId,
        amountWei: amount.toString(),
        expiryBlock: expiryBlock.toString(),
        nonce: nonce.toString(),
        signature,
      },
      uniqueKey: { column: 'receipt_hash', value: receiptHashOf(body.receiptId) },
      orderedNonce: nonce,
      expiryBlock,
    };
  },
  uniqueConflict: apiErrors.receiptAlreadyMinted,
  nonceRefusal: (given, expected) =>
    apiErrors.invalidNonce(`nonce ${given} is not current (expected ${expected}); call /mint/prepare again and sign with its nonce`),
  expiry: {
    errorCode: 'MINT_EXPIRED',
    unsentReason: 'mint authorization expired before the bundler took it',
    unsentMessage: (expiryBlock) => `expiryBlock ${expiryBlock} passed before the mint could be submitted`,
  },

  parseParams: (value) => ({
    to: field(value, 'to', isHexAddress),
    receiptId: field(value, 'receiptId', isString),
    amountWei: field(value, 'amountWei', isWeiString),
    expiryBlock: field(value, 'expiryBlock', isWeiString),
    nonce: field(value, 'nonce', isWeiString),
    signature: field(value, 'signature', isHex),
  }),
  buildCalls: (contracts, p) => [
    {
      to: contracts.token,
      data: encodeFunctionData({
        abi: chronosTokenAbi,
        functionName: 'mintWithSignature',
        args: [p.to, p.receiptId, BigInt(p.amountWei), BigInt(p.expiryBlock), BigInt(p.nonce), p.signature],
      }),
    },
  ],
};
