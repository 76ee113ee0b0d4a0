// Exactly one way of sponsoring is active in a deployment (config/load.ts decides which).
import type { Address, Hex } from 'viem';

export type Sponsorship = Readonly<
  | {
      /** Chronos's own paymaster (PAYMASTER_ADDRESS), signing in-process with PAYMASTER_SIGNER_KEY. */
      mode: 'own';
      paymaster: Address;
      signerKey: Hex;
      /** SPONSORSHIP_VALID_SECONDS: how long one signed sponsorship can be included. */
      validSeconds: number;
      /** PAYMASTER_DEPOSIT_MIN_COVER_SECONDS: below this much time left at the current spend rate, /readyz is degraded. */
      minCoverSeconds: number;
    }
  | {
      /** Any ERC-7677 service (PAYMASTER_URL), told PAYMASTER_CONTEXT with every request. */
      mode: 'hosted';
      url: string;
      context?: Readonly<Record<string, unknown>>;
    }
>;

/** The paymaster service's URL, when there is one: the part a failure at that URL is blamed on. */
export const paymasterUrlOf = (sponsorship: Sponsorship): string | undefined => (sponsorship.mode === 'hosted' ? sponsorship.url : undefined);
