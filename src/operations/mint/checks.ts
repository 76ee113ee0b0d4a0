// Checks shared by POST /mint/prepare and /mint/execute, all on the asking client's own token: receipt
// unused, the nonce a signature must carry, and a signature the contract's ECDSA will accept.
import { keccak256, toBytes, type Address, type Hex } from 'viem';
import { apiErrors } from '../../app-error.js';
import { chronosTokenAbi } from '../../chain/contracts/abi.js';
import { maxInFlightOrderedNonce, uniqueKeyInUse } from '../../db/transactions.js';
import type { AcceptContext } from '../types.js';
import { MINT_TYPE } from './type.js';

export const receiptHashOf = (receiptId: string) => keccak256(toBytes(receiptId));

/** 409 once the receipt is minted on this token, on-chain or in flight through Chronos. */
export async function requireReceiptUnused(ctx: AcceptContext, { token, receiptId }: { token: Address; receiptId: string }): Promise<void> {
  const inUse = await uniqueKeyInUse(ctx.db, {
    type: MINT_TYPE,
    column: 'receipt_hash',
    value: receiptHashOf(receiptId),
    token,
    sharedToken: ctx.config.contracts.token,
  });
  if (inUse) throw apiErrors.receiptAlreadyMinted();
  const minted = await ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'minted', args: [receiptId] });
  if (minted) throw apiErrors.receiptAlreadyMinted();
}

/**
 * The nonce the next mint for this wallet must be signed with: the contract's nonce, or one past the
 * highest nonce already in flight (mints for one user execute in order).
 */
export async function nextMintNonce(ctx: AcceptContext, { token, walletAddress }: { token: Address; walletAddress: Address }): Promise<bigint> {
  const inFlight = await maxInFlightOrderedNonce(ctx.db, { walletAddress });
  const onChain = await ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [walletAddress] });
  return inFlight !== undefined && inFlight + 1n > onChain ? inFlight + 1n : onChain;
}

/** Half the secp256k1 group order: OpenZeppelin's ECDSA refuses any s above it (EIP-2). */
const SECP256K1_HALF_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/**
 * Why ChronosToken would refuse this 65-byte signature's shape, if it would: a high s (the malleable
 * twin of a valid signature) or a v other than 27/28. Checked here so such a mint is refused at once
 * rather than accepted and then FAILED.
 */
export function signatureShapeProblem(signature: Hex): string | undefined {
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return `v must be 27 or 28 (got ${v}); add 27 to a 0/1 recovery id`;
  if (s > SECP256K1_HALF_ORDER)
    return 's is in the upper half of the curve order (a malleable signature); sign with a library that produces low-s signatures, as viem does';
  return undefined;
}
