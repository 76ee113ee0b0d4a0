// What the client's signer signs to authorize a mint (README, "The two-step mint"): ChronosToken's own
// hash of the prepared values, signed EIP-191 style.
import { encodeAbiParameters, keccak256, parseAbiParameters, type Address, type Hex } from 'viem';

export type MintMessage = {
  contractAddress: Address;
  chainId: number;
  userAddress: Address;
  receiptId: string;
  amount: bigint;
  expiryBlock: bigint;
  nonce: bigint;
};

export function mintMessageHash(m: MintMessage): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address, uint256, address, string, uint256, uint256, uint256'), [
      m.contractAddress,
      BigInt(m.chainId),
      m.userAddress,
      m.receiptId,
      m.amount,
      m.expiryBlock,
      m.nonce,
    ]),
  );
}

/** A viem account (anything with `signMessage`), or a callback signing the 32-byte hash EIP-191 style. */
export type MintSigner = { signMessage(args: { message: { raw: Hex } }): Promise<Hex> } | ((messageHash: Hex) => Promise<Hex>);

export function signMintMessage(signer: MintSigner, messageHash: Hex): Promise<Hex> {
  return typeof signer === 'function' ? signer(messageHash) : signer.signMessage({ message: { raw: messageHash } });
}
