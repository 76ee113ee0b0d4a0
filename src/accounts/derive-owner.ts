// A user's smart-account owner key is derived on demand and never stored: whoever holds MASTER_KEY
// can recompute it, nobody else can, and a database leak reveals no key.
import { createHmac } from 'node:crypto';
import { hexToBytes, numberToHex, type Hex } from 'viem';

/** Order of the secp256k1 group: a private key must lie in [1, n - 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export type UserRef = { clientId: string; userId: string };

export function deriveOwnerPrivateKey(masterKey: Hex, { clientId, userId }: UserRef): Hex {
  return deriveKey(masterKey, `chronos/owner/v1/${clientId}/${userId}`);
}

/** A secp256k1 private key for one purpose (`label`), from MASTER_KEY alone: the same label, the same key. */
export function deriveKey(masterKey: Hex, label: string): Hex {
  const mac = createHmac('sha256', hexToBytes(masterKey)).update(label).digest();
  const scalar = (BigInt(`0x${mac.toString('hex')}`) % (SECP256K1_N - 1n)) + 1n;
  return numberToHex(scalar, { size: 32 });
}
