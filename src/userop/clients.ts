// The bundler and the sponsor, as viem clients. The chain layer knows nothing of HTTP or the database.
import { http, hexToBigInt, type Hex } from 'viem';
import { createBundlerClient, createPaymasterClient, type BundlerClient } from 'viem/account-abstraction';
import type { ChainPublicClient } from '../chain/clients.js';
import { failoverTransport } from '../chain/failover-transport.js';
import type { BackoffPolicy } from '../chain/http-backoff.js';
import { createFeeQuote, type FeeQuote, type Fees } from './fee-quote.js';
import { createOwnPaymaster, type Sponsor } from './sponsorship/own-paymaster.js';
import type { Sponsorship } from './sponsorship/mode.js';

export type UserOpClients = {
  publicClient: ChainPublicClient;
  bundler: BundlerClient;
  /** Chronos's own paymaster (in-process) or the ERC-7677 service at PAYMASTER_URL. */
  paymaster: Sponsor;
  /** The ERC-7677 `context` every hosted paymaster request carries (PAYMASTER_CONTEXT), if any. */
  paymasterContext?: Readonly<Record<string, unknown>>;
  sponsorship: Sponsorship;
  fees: FeeQuote;
};

export function createUserOpClients(
  publicClient: ChainPublicClient,
  { bundlerUrls, chainId, sponsorship, backoff }: { bundlerUrls: readonly string[]; chainId: number; sponsorship: Sponsorship; backoff?: BackoffPolicy },
  { feeQuoteTtlMs }: { feeQuoteTtlMs?: number } = {},
): UserOpClients {
  // No automatic retries but of back-pressure (429/5xx, waited out as the bundler asks) and, with a
  // list, the move to the next bundler: the submit job decides what else to retry, knowing what has
  // been stored. Each send starts at the first entry, so a re-send after a stall may go to another.
  const bundler = createBundlerClient({ client: publicClient, transport: failoverTransport(bundlerUrls, { retryCount: 0, timeout: 15_000, backoff }) });
  const paymaster: Sponsor =
    sponsorship.mode === 'own'
      ? createOwnPaymaster({ address: sponsorship.paymaster, signerKey: sponsorship.signerKey, chainId, validSeconds: sponsorship.validSeconds })
      : (createPaymasterClient({ transport: http(sponsorship.url, { retryCount: 0, timeout: 15_000 }) }) as unknown as Sponsor);
  const fees = createFeeQuote(() => getUserOperationFees({ bundler, publicClient }), { ttlMs: feeQuoteTtlMs });
  const paymasterContext = sponsorship.mode === 'hosted' ? sponsorship.context : undefined;
  return { publicClient, bundler, paymaster, paymasterContext, sponsorship, fees };
}

type PimlicoGasPrice = { fast: { maxFeePerGas: Hex; maxPriorityFeePerGas: Hex } };

/**
 * Fees the bundler will accept: Pimlico-compatible bundlers (alto) quote them with
 * `pimlico_getUserOperationGasPrice`; elsewhere we fall back to the node's estimate with headroom.
 */
export async function getUserOperationFees({ bundler, publicClient }: Pick<UserOpClients, 'bundler' | 'publicClient'>): Promise<Fees> {
  try {
    const price = await bundler.request<{ Method: 'pimlico_getUserOperationGasPrice'; Parameters: []; ReturnType: PimlicoGasPrice }>({
      method: 'pimlico_getUserOperationGasPrice',
      params: [],
    });
    return { maxFeePerGas: hexToBigInt(price.fast.maxFeePerGas), maxPriorityFeePerGas: hexToBigInt(price.fast.maxPriorityFeePerGas) };
  } catch (error) {
    if ((error as { code?: number }).code !== -32601) throw error;
    const fees = await publicClient.estimateFeesPerGas({ type: 'eip1559' });
    return { maxFeePerGas: fees.maxFeePerGas * 2n, maxPriorityFeePerGas: fees.maxPriorityFeePerGas * 2n };
  }
}
