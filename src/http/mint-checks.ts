// Checks shared by POST /mint/prepare and /mint/execute: receipt unused, and the nonce a signature must carry.
import { keccak256, toBytes, type Address } from 'viem';
import type { Transaction as DbTransaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { RouteContext } from './route.js';
import { AppError } from './errors.js';
import { chronosTokenAbi } from '../chain/contracts/abi.js';
import { maxInFlightMintNonce, receiptInUse } from '../db/transactions.js';

export const receiptHashOf = (receiptId: string) => keccak256(toBytes(receiptId));

const alreadyMinted = () => new AppError(409, 'RECEIPT_ALREADY_MINTED', 'Receipt has already been minted');

/** 409 once the receipt is minted on-chain or in flight through Chronos. */
export async function requireReceiptUnused(ctx: RouteContext, receiptId: string): Promise<void> {
  if (await receiptInUse(ctx.db, receiptHashOf(receiptId))) throw alreadyMinted();
  const minted = await ctx.publicClient.readContract({ address: ctx.config.contracts.token, abi: chronosTokenAbi, functionName: 'minted', args: [receiptId] });
  if (minted) throw alreadyMinted();
}

/**
 * The nonce the next mint for this wallet must be signed with: the contract's nonce, or one past the
 * highest nonce already in flight (mints for one user execute in order).
 */
export async function nextMintNonce(ctx: RouteContext, db: DbTransaction<Database> | RouteContext['db'], walletAddress: Address): Promise<bigint> {
  const inFlight = await maxInFlightMintNonce(db, { walletAddress });
  const onChain = await ctx.publicClient.readContract({ address: ctx.config.contracts.token, abi: chronosTokenAbi, functionName: 'nonces', args: [walletAddress] });
  return inFlight !== undefined && inFlight + 1n > onChain ? inFlight + 1n : onChain;
}
