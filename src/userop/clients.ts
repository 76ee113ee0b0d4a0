// The bundler and the ERC-7677 paymaster, as viem clients. The chain layer knows nothing of HTTP or the database.
import { http, hexToBigInt, type Hex } from 'viem';
import { createBundlerClient, createPaymasterClient, type BundlerClient, type PaymasterClient } from 'viem/account-abstraction';
import type { ChainPublicClient } from '../chain/clients.js';
import { createFeeQuote, type FeeQuote, type Fees } from './fee-quote.js';

export type UserOpClients = {
  publicClient: ChainPublicClient;
  bundler: BundlerClient;
  paymaster: PaymasterClient;
  /** The ERC-7677 `context` every paymaster request carries (PAYMASTER_CONTEXT), if any. */
  paymasterContext?: Readonly<Record<string, unknown>>;
  fees: FeeQuote;
};

export function createUserOpClients(
  publicClient: ChainPublicClient,
  { bundlerUrl, paymasterUrl, paymasterContext }: { bundlerUrl: string; paymasterUrl: string; paymasterContext?: Readonly<Record<string, unknown>> },
  { feeQuoteTtlMs }: { feeQuoteTtlMs?: number } = {},
): UserOpClients {
  // No automatic retries: the submit job decides what to retry, knowing what has been stored.
  const bundler = createBundlerClient({ client: publicClient, transport: http(bundlerUrl, { retryCount: 0, timeout: 15_000 }) });
  const paymaster = createPaymasterClient({ transport: http(paymasterUrl, { retryCount: 0, timeout: 15_000 }) });
  const fees = createFeeQuote(() => getUserOperationFees({ bundler, publicClient }), { ttlMs: feeQuoteTtlMs });
  return { publicClient, bundler, paymaster, paymasterContext, fees };
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
