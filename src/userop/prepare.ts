// Building and signing a UserOperation: calls → account callData, nonce, sponsored gas (ERC-7677
// stub → bundler estimate → final paymaster data), then the owner's signature and the hash.
import type { Hex } from 'viem';
import { estimateUserOperationGas, formatUserOperationRequest, getUserOperationHash, prepareUserOperation, type UserOperation } from 'viem/account-abstraction';
import type { UserSmartAccount } from '../accounts/smart-account.js';
import type { Call } from '../operations/types.js';
import { getUserOperationFees, type UserOpClients } from './clients.js';
import type { Fees } from './fee-quote.js';
import { feesToSign } from './fee-cap.js';
import type { Sponsor } from './sponsorship/own-paymaster.js';

/** A UserOperation with every field but its real signature. */
export type PreparedUserOperation = UserOperation<'0.7'>;

export type SignedUserOperation = { userOp: Record<string, string>; hash: Hex; nonce: bigint; fees: Fees };

export type PrepareSignedUserOperationParameters = {
  account: UserSmartAccount;
  chainId: number;
  /** The calls to make, or raw callData (a replacement no-op uses `0x`). */
  calls?: Call[];
  callData?: Hex;
  nonce?: bigint;
  /** Multiplies the quoted fees, e.g. to replace a pending operation. */
  feeBumpPercent?: number;
  /** MAX_FEE_PER_GAS_GWEI in wei: never signs above it (FeesAboveCapError when the quote is above it). */
  maxFeePerGasCap?: bigint;
  /** Ask the bundler for a quote now rather than share the last one (a re-build after a fee spike). */
  freshQuote?: boolean;
};

export async function prepareSignedUserOperation(clients: UserOpClients, p: PrepareSignedUserOperationParameters): Promise<SignedUserOperation> {
  const { prepared, nonce, fees } = await prepareUnsignedUserOperation(clients, p, clients.paymaster);
  const signature = await p.account.signUserOperation(prepared);
  const signed = { ...prepared, signature };
  const hash = getUserOperationHash({
    chainId: p.chainId,
    entryPointAddress: p.account.entryPoint.address,
    entryPointVersion: '0.7',
    userOperation: signed,
  });
  const userOp = formatUserOperationRequest(signed) as unknown as Record<string, string>;
  return { userOp, hash, nonce, fees };
}

/**
 * A dry run's UserOperation (POST /payments/gas-estimate): built as prepareSignedUserOperation builds
 * it — the same calls, nonce, fees, bundler estimate and headroom — but sponsored by the stub only, so
 * no sponsorship is asked for, and left with the account's stub signature.
 */
export function prepareStubUserOperation(
  clients: UserOpClients,
  p: Pick<PrepareSignedUserOperationParameters, 'account' | 'calls'>,
): Promise<UnsignedUserOperation> {
  const stub = clients.paymaster.getPaymasterStubData;
  return prepareUnsignedUserOperation(clients, { ...p, chainId: 0 }, { getPaymasterStubData: stub, getPaymasterData: stub });
}

export type UnsignedUserOperation = { prepared: PreparedUserOperation; nonce: bigint; fees: Fees };

async function prepareUnsignedUserOperation(
  clients: UserOpClients,
  p: PrepareSignedUserOperationParameters,
  paymaster: Sponsor,
): Promise<UnsignedUserOperation> {
  // The caller's nonce (the key it holds: src/jobs/submit-transaction.ts), else key 0's next; a
  // replacement must reuse the exact nonce. A replacement is sent because something is stuck: it gets a fresh quote, not the shared one.
  const quote = p.feeBumpPercent || p.freshQuote ? getUserOperationFees(clients) : clients.fees.get();
  const [quoted, nonce] = await Promise.all([quote, p.nonce ?? p.account.getNonce({ key: 0n })]);
  const fees = feesToSign(quoted, { bumpPercent: p.feeBumpPercent, cap: p.maxFeePerGasCap });
  const base = {
    account: withCallGasHeadroom(clients, p.account),
    paymaster,
    ...(clients.paymasterContext && { paymasterContext: clients.paymasterContext }),
    nonce,
    ...fees,
  };
  let prepared;
  try {
    prepared = p.calls
      ? await prepareUserOperation(clients.bundler, { ...base, calls: p.calls })
      : await prepareUserOperation(clients.bundler, { ...base, callData: p.callData ?? '0x' });
  } catch (error) {
    // Whatever the refusal was, a retry should not be able to blame a shared, older quote.
    clients.fees.invalidate();
    throw error;
  }
  return { prepared: prepared as unknown as PreparedUserOperation, nonce, fees };
}

/**
 * Headroom over the bundler's callGasLimit estimate. The estimate is simulated alone, against the
 * chain as it is now; executed in a bundle or a block after others, the same call can need more (a
 * storage slot cold again, a counter written from zero): a few thousand gas short is an on-chain
 * revert that was paid for. 20 % stays under EntryPoint v0.7's 40,000 unused-gas penalty for
 * ordinary calls.
 */
export const CALL_GAS_HEADROOM_PERCENT = 20n;

/**
 * Headroom over the verificationGasLimit estimate. With parallel nonce keys (MAX_PARALLEL_OPS_PER_ACCOUNT)
 * the EntryPoint's nonce update is part of verification, and what it costs depends on the key's slot
 * as the bundle finds it: a key written from zero costs about 20,000 gas more than the estimate saw.
 * Unused verification gas is not charged, only reserved from the sponsor's deposit.
 */
export const VERIFICATION_GAS_HEADROOM = 25_000n;

type GasEstimate = Awaited<ReturnType<NonNullable<NonNullable<UserSmartAccount['userOperation']>['estimateGas']>>>;

function withCallGasHeadroom(clients: UserOpClients, account: UserSmartAccount): UserSmartAccount {
  return {
    ...account,
    userOperation: {
      ...account.userOperation,
      async estimateGas(userOperation) {
        const zero = { callGasLimit: 0n, preVerificationGas: 0n, verificationGasLimit: 0n };
        const paymasterZero = userOperation.paymaster ? { paymasterPostOpGasLimit: 0n, paymasterVerificationGasLimit: 0n } : {};
        const gas = await estimateUserOperationGas(clients.bundler, { ...zero, ...paymasterZero, ...userOperation, account } as never);
        return {
          ...gas,
          callGasLimit: (gas.callGasLimit * (100n + CALL_GAS_HEADROOM_PERCENT)) / 100n,
          verificationGasLimit: gas.verificationGasLimit + VERIFICATION_GAS_HEADROOM,
        } as GasEstimate;
      },
    },
  };
}
