// What a client's issuer key signs to authorize an issue or a revocation, and the hash that binds a
// certificate's descriptive fields on-chain: ChronosCertificate's own hashes, reproduced off-chain.
import { encodeAbiParameters, keccak256, parseAbiParameters, stringToHex, type Address, type Hex } from 'viem';

type Bound = {
  /** The client's ChronosCertificate the signature is for. */
  contract: Address;
  chainId: number | bigint;
  /** The smart account that submits the call: no other can use the signature. */
  sender: Address;
};

/** ChronosCertificate.issueMessageHash. */
export function issueMessageHash({
  contract,
  chainId,
  sender,
  to,
  verificationHash,
  dataHash,
}: Bound & { to: Address; verificationHash: Hex; dataHash: Hex }): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address, uint256, string, address, address, bytes32, bytes32'), [
      contract,
      BigInt(chainId),
      'issue',
      sender,
      to,
      verificationHash,
      dataHash,
    ]),
  );
}

/** ChronosCertificate.revokeMessageHash. */
export function revokeMessageHash({ contract, chainId, sender, tokenId, reason }: Bound & { tokenId: bigint; reason: string }): Hex {
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address, uint256, string, address, uint256, string'), [
      contract,
      BigInt(chainId),
      'revoke',
      sender,
      tokenId,
      reason,
    ]),
  );
}

export type CertificateFields = { recipientName: string; courseTitle: string; courseId: string; instructorName: string };

/**
 * The `dataHash` a certificate carries on-chain: keccak256 of the UTF-8 JSON array
 * [recipientName, courseTitle, courseId, instructorName]. A verifier shown the fields recomputes it
 * and compares it with the contract's dataHashOf(tokenId) (README, Certificates).
 */
export function certificateDataHash({ recipientName, courseTitle, courseId, instructorName }: CertificateFields): Hex {
  return keccak256(stringToHex(JSON.stringify([recipientName, courseTitle, courseId, instructorName])));
}
