// A dry run of any operation type (POST /payments/gas-estimate): what accepting it would decide — the
// definition's own checks, the balance it would debit, the quotas, gas budgets and value limits of the
// accept step, read without the user's lock — and, when it would be accepted, the calls it would make
// and their gas: the bundler's estimate with stub sponsorship, then a simulated execution where Chronos
// sponsors by itself (src/userop/dry-run.ts). Nothing is written, signed for sending or sent.
import { erc20Abi, formatUnits, parseUnits, type Address } from 'viem';
import { AppError, apiErrors } from '../app-error.js';
import { deriveOwnerPrivateKey } from '../accounts/derive-owner.js';
import { toUserSmartAccount } from '../accounts/smart-account.js';
import { feeWarning, readFeeLevel } from '../chain/fee-level.js';
import type { GasFeeCap } from '../chain/gas-fee-cap.js';
import { loadAcceptState } from '../db/transactions.js';
import { sumValueSince } from '../db/value-limits.js';
import { operationContracts } from '../operations/contracts.js';
import { balanceRefusal, valueLimitRefusal } from '../operations/value-limit.js';
import type { Acceptance, AcceptContext, Call, OperationDefinition, Requester } from '../operations/types.js';
import { readQuota } from '../policy/quota.js';
import type { UserOpClients } from '../userop/clients.js';
import { dryRunUserOperation } from '../userop/dry-run.js';
import type { Config } from '../config/schema.js';

export type GasEstimateContext = AcceptContext & { config: Config; gasFeeCap: GasFeeCap; userOps: UserOpClients };

export type Refusal = { status: number; code: string; message: string };

export type GasEstimate =
  | { operation: string; wouldAccept: false; refusal: Refusal }
  | {
      operation: string;
      wouldAccept: true;
      calls: { to: Address; data: string }[];
      /** Gas the operation is expected to use (decimal string), and how that was found. */
      gasLimit: string;
      basis: 'simulation' | 'bundler';
      /** Wei per gas it would pay now: min(maxFeePerGas, base fee + priority fee). */
      gasPrice: string;
      totalCost: string;
      totalCostUSD?: string;
      /** The gas limits Chronos would sign, and the most the sponsor could be charged at the signed fee. */
      maxGas: string;
      maxFeePerGas: string;
      maxCost: string;
      warning?: string;
    };

const refusalOf = (error: AppError): Refusal => ({ status: error.status, code: error.code, message: error.message });

export async function estimateOperationGas<Params>(
  ctx: GasEstimateContext,
  { definition, input, requester, ownToken }: { definition: OperationDefinition<Params>; input: unknown; requester: Requester; ownToken: Address },
): Promise<GasEstimate> {
  const operation = definition.type;
  let acceptance: Acceptance<Params>;
  try {
    acceptance = await definition.accept(ctx, input, requester);
    await checkAcceptStep(ctx, definition, acceptance, requester, ownToken);
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return { operation, wouldAccept: false, refusal: refusalOf(error) };
    throw error;
  }
  const calls = definition.buildCalls(operationContracts(ctx.config, acceptance.token ?? requester.token), acceptance.params);
  const account = await toUserSmartAccount(ctx.publicClient, {
    ownerPrivateKey: deriveOwnerPrivateKey(ctx.config.masterKey, { clientId: requester.client.id, userId: requester.userId }),
    contracts: ctx.config.contracts,
    address: requester.walletAddress,
  });
  let dryRun;
  try {
    dryRun = await dryRunUserOperation(ctx.userOps, { account, calls, chainId: ctx.config.chain.chainId });
  } catch (error) {
    if (!isBundlerRefusal(error)) throw error;
    const message = (error as { shortMessage?: string }).shortMessage ?? 'the bundler could not estimate it';
    return {
      operation,
      wouldAccept: false,
      refusal: { status: 422, code: 'ESTIMATE_FAILED', message: `The operation cannot be executed as it stands: ${message}` },
    };
  }
  const [block, level] = await Promise.all([ctx.publicClient.getBlock({ blockTag: 'latest' }), readFeeLevel(ctx.publicClient).catch(() => undefined)]);
  const baseFee = level?.baseFeePerGas ?? block.baseFeePerGas ?? 0n;
  const { maxFeePerGas, maxPriorityFeePerGas } = dryRun.fees;
  const gasPrice = baseFee + maxPriorityFeePerGas < maxFeePerGas ? baseFee + maxPriorityFeePerGas : maxFeePerGas;
  const totalCost = dryRun.gasUsed * gasPrice;
  const usd = ctx.config.prices.nativeTokenUsd;
  const warnings = [feeWarning(level), dryRun.reverts ? 'The calls revert in simulation: sent now, the operation would end REVERTED' : undefined].filter(
    Boolean,
  );
  return {
    operation,
    wouldAccept: true,
    calls: calls.map(({ to, data }: Call) => ({ to, data })),
    gasLimit: dryRun.gasUsed.toString(),
    basis: dryRun.basis,
    gasPrice: gasPrice.toString(),
    totalCost: totalCost.toString(),
    ...(usd !== undefined && { totalCostUSD: usdOf(totalCost, usd) }),
    maxGas: dryRun.maxGas.toString(),
    maxFeePerGas: maxFeePerGas.toString(),
    maxCost: (dryRun.maxGas * maxFeePerGas).toString(),
    ...(warnings.length && { warning: warnings.join('; ') }),
  };
}

/** What the accept step adds to the definition's checks (src/transactions/accept-batch.ts), read as it stands now. */
async function checkAcceptStep<Params>(
  ctx: GasEstimateContext,
  definition: OperationDefinition<Params>,
  acceptance: Acceptance<Params>,
  requester: Requester,
  ownToken: Address,
): Promise<void> {
  const { client, userId, walletAddress } = requester;
  const token = acceptance.token ?? requester.token;
  const own = token === ownToken;
  const debit = acceptance.debitWei ?? 0n;
  if (debit > 0n) {
    const block = await ctx.publicClient.getBlockNumber();
    const [balance, [state]] = await Promise.all([
      ctx.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [walletAddress], blockNumber: block }),
      loadAcceptState(ctx.db, [{ clientId: client.id, userId, block, token, own }]),
    ]);
    const uncovered = balanceRefusal(balance, state.debitWei, debit);
    if (uncovered) throw uncovered;
  }
  const quota = await readQuota(ctx.db, { clientId: client.id, userId, gasFeeCap: ctx.gasFeeCap });
  if (quota.kind === 'disabled') throw apiErrors.policyDisabled();
  if (quota.kind === 'active') {
    for (const type of [definition.type, ...(definition.countsAs ? [definition.countsAs] : [])]) {
      const status = quota.operations[type as keyof typeof quota.operations];
      if (status && !status.allowed) throw apiErrors.quotaExceeded(`The user's ${type} quota for this period is used up`);
    }
    const budget = quota.gasBudget?.operations[definition.type as keyof NonNullable<typeof quota.gasBudget>['operations']];
    if (budget && !budget.allowed) throw apiErrors.sponsorshipBudgetExceeded('The gas budget left this period does not cover this operation', 0);
  }
  const limit = acceptance.valueLimit;
  if (limit) {
    const used = await ctx.db
      .transaction()
      .execute((trx) => sumValueSince(trx, { clientId: client.id, userId, type: definition.type, since: limit.since, token, own }));
    const overLimit = valueLimitRefusal(limit, used, debit);
    if (overLimit) throw overLimit;
  }
}

/** The bundler refused the operation itself (it would revert, or cannot be validated), not the connection. */
function isBundlerRefusal(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  return name === 'UserOperationExecutionError' || name === 'EstimateUserOperationGasError';
}

/** Wei of the native token at `usdPrice` dollars per token, to the cent (rounded half up). */
function usdOf(wei: bigint, usdPrice: string): string {
  // wei × (dollars per token × 10^6) / 10^18 is micro-dollars; / 10^4 more is cents.
  const cents = (wei * parseUnits(usdPrice, 6) + 5n * 10n ** 21n) / 10n ** 22n;
  return formatUnits(cents, 2);
}
