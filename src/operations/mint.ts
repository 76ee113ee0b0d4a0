import { encodeFunctionData, type Address, type Hex } from 'viem';
import { chronosTokenAbi } from '../chain/contracts/abi.js';
import { field, isHex, isHexAddress, isString, isWeiString, type OperationDefinition } from './types.js';

export type MintParams = {
  to: Address;
  receiptId: string;
  amountWei: string;
  expiryBlock: string;
  nonce: string;
  signature: Hex;
};

/** The client's signed authorization, relayed by the user's own smart account. */
export const mint: OperationDefinition<MintParams> = {
  type: 'mint',
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
