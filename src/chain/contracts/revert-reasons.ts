// Turns revert data into the error's name and arguments, e.g. `ClaimAlreadyUsed(0x…)`, using the ABIs
// of the contracts Chronos calls (and the SimpleAccount/ERC-20 errors those bubble up).
import { decodeErrorResult, type Abi, type Hex } from 'viem';
import { CHRONOS_CONTRACTS } from './registry.js';

const ABI: Abi = CHRONOS_CONTRACTS.flatMap((c): Abi => c.abi);

export function describeRevert(data: Hex): string | undefined {
  try {
    const { errorName, args } = decodeErrorResult({ abi: ABI, data });
    return `${errorName}(${(args ?? []).map((a) => String(a)).join(', ')})`;
  } catch {
    return undefined;
  }
}

/** Replaces raw revert data quoted in a message (e.g. by a bundler) with its decoded form, where known. */
export function decodeRevertsIn(message: string): string {
  return message.replace(/0x[0-9a-fA-F]{8,}/g, (hex) => describeRevert(hex as Hex) ?? hex);
}
