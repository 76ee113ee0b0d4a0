// A dry run of a UserOperation (POST /payments/gas-estimate): built as it would be sent — the bundler's
// estimate with stub sponsorship, Chronos's headroom — and then, where Chronos sponsors by itself,
// executed in a simulated block (eth_simulateV1) to read the gas the EntryPoint would charge for it.
// Nothing is sent, and no sponsorship is asked of anyone: with a hosted paymaster the signed
// sponsorship would be a real request, so there the estimate is the bundler's, not a simulation.
import { encodeFunctionData, parseEventLogs, type Address, type Hex } from 'viem';
import { entryPoint07Abi, toPackedUserOperation } from 'viem/account-abstraction';
import type { UserSmartAccount } from '../accounts/smart-account.js';
import type { Call } from '../operations/types.js';
import type { UserOpClients } from './clients.js';
import type { Fees } from './fee-quote.js';
import { prepareStubUserOperation, type PreparedUserOperation } from './prepare.js';

export type DryRun = {
  /** The gas the operation is expected to use: the simulated EntryPoint charge, else the bundler's estimate. */
  gasUsed: bigint;
  basis: 'simulation' | 'bundler';
  /** The sum of the gas limits Chronos would sign: the most the sponsor can be charged for. */
  maxGas: bigint;
  fees: Fees;
  /** The simulation ran the calls and they reverted: sent, the operation would end REVERTED. */
  reverts: boolean;
};

/** Where a simulated bundle's refund would go; nothing is paid in a simulation. */
const SIMULATED_BENEFICIARY: Address = '0x000000000000000000000000000000000000dEaD';

const gasLimitsOf = (op: PreparedUserOperation) =>
  op.callGasLimit + op.verificationGasLimit + op.preVerificationGas + (op.paymasterVerificationGasLimit ?? 0n) + (op.paymasterPostOpGasLimit ?? 0n);

export async function dryRunUserOperation(
  clients: UserOpClients,
  { account, calls, chainId }: { account: UserSmartAccount; calls: Call[]; chainId: number },
): Promise<DryRun> {
  const { prepared, fees } = await prepareStubUserOperation(clients, { account, calls });
  const maxGas = gasLimitsOf(prepared);
  const simulated = clients.sponsorship.mode === 'own' ? await simulate(clients, { account, prepared, chainId }) : undefined;
  if (simulated) return { gasUsed: simulated.gasUsed, basis: 'simulation', maxGas, fees, reverts: simulated.reverts };
  // Without a simulation: the bundler's limits, which run above what the operation uses.
  return { gasUsed: maxGas, basis: 'bundler', maxGas, fees, reverts: false };
}

/**
 * The operation, sponsored and signed in-process (the owner key and PAYMASTER_SIGNER_KEY never leave
 * Chronos, and nothing signed here is sent), as the one call of a simulated block: its
 * UserOperationEvent's actualGasUsed is what the EntryPoint would charge. Undefined when the node
 * cannot simulate (eth_simulateV1 unsupported) or the EntryPoint refused the operation.
 */
async function simulate(
  clients: UserOpClients,
  { account, prepared, chainId }: { account: UserSmartAccount; prepared: PreparedUserOperation; chainId: number },
): Promise<{ gasUsed: bigint; reverts: boolean } | undefined> {
  const entryPoint = account.entryPoint.address;
  const sponsorship = await clients.paymaster.getPaymasterData({ ...prepared, chainId, entryPointAddress: entryPoint } as never);
  const sponsored = { ...prepared, ...sponsorship } as PreparedUserOperation;
  const signed = { ...sponsored, signature: await account.signUserOperation(sponsored) };
  const data: Hex = encodeFunctionData({ abi: entryPoint07Abi, functionName: 'handleOps', args: [[toPackedUserOperation(signed)], SIMULATED_BENEFICIARY] });
  try {
    const [block] = await clients.publicClient.simulateBlocks({ blocks: [{ calls: [{ to: entryPoint, data }] }] });
    const call = block?.calls[0];
    if (call?.status !== 'success') return undefined;
    const [event] = parseEventLogs({ abi: entryPoint07Abi, eventName: 'UserOperationEvent', logs: call.logs ?? [] });
    return event ? { gasUsed: event.args.actualGasUsed, reverts: !event.args.success } : undefined;
  } catch {
    // A node without eth_simulateV1 (or one that refuses this call): the bundler's figure stands.
    return undefined;
  }
}
