// The key that signs a client's certificate issues and revocations (README, Certificates). Derived from
// MASTER_KEY per client and never stored, as users' owner keys are: only this deployment can sign for a
// client, and only for that client, since each client's ChronosCertificate authorizes its own issuer alone.
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { Address, Hex } from 'viem';
import { deriveKey } from './derive-owner.js';

export function certificateIssuer(masterKey: Hex, clientId: string): PrivateKeyAccount {
  return privateKeyToAccount(deriveKey(masterKey, `chronos/certificate-issuer/v1/${clientId}`));
}

export const certificateIssuerAddress = (masterKey: Hex, clientId: string): Address => certificateIssuer(masterKey, clientId).address;
