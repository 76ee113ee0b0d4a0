// What a client's signer signs to authorize a mint: the contract's own hash, reproduced off-chain.
import { encodeAbiParameters, keccak256, parseAbiParameters, type Address, type Hex } from 'viem';

export type MintMessageHashParameters = {
  token: Address;
  chainId: number | bigint;
  to: Address;
  receiptId: string;
  amount: bigint;
  expiryBlock: bigint;
  nonce: bigint;
};

/**
 * The hash ChronosToken.mintWithSignature checks. A signer authorizes the mint with
 * `signMessage({ message: { raw: hash } })` (EIP-191), which the contract reproduces with
 * MessageHashUtils.toEthSignedMessageHash.
 */
export function mintMessageHash({ token, chainId, to, receiptId, amount, expiryBlock, nonce }: MintMessageHashParameters): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address, uint256, address, string, uint256, uint256, uint256'), [
      token,
      BigInt(chainId),
      to,
      receiptId,
      amount,
      expiryBlock,
      nonce,
    ]),
  );
}
