// What a client's signer signs to authorize an escrow's release or refund (an arbiter signature): the
// contract's own hash, reproduced off-chain.
import { encodeAbiParameters, keccak256, parseAbiParameters, type Address, type Hex } from 'viem';

/** ChronosEscrow's `Action` enum, by its Solidity order. */
export const ESCROW_ACTIONS = { release: 0, refund: 1 } as const;
export type EscrowAction = keyof typeof ESCROW_ACTIONS;

export type EscrowMessageHashParameters = {
  /** The ChronosEscrow deployment the signature is for. */
  escrow: Address;
  chainId: number | bigint;
  /** The client's ChronosToken: its signers are the only ones whose signatures count. */
  token: Address;
  escrowId: Hex;
  action: EscrowAction;
};

/**
 * The hash ChronosEscrow.releaseWithSignature / refundWithSignature check (`arbiterMessageHash`). A
 * signer authorizes the action with `signMessage({ message: { raw: hash } })` (EIP-191), which the
 * contract reproduces with MessageHashUtils.toEthSignedMessageHash.
 */
export function escrowMessageHash({ escrow, chainId, token, escrowId, action }: EscrowMessageHashParameters): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address, uint256, address, bytes32, uint8'), [escrow, BigInt(chainId), token, escrowId, ESCROW_ACTIONS[action]]),
  );
}
