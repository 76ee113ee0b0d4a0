// What Chronos's own paymaster has left to pay with: its deposit at the EntryPoint. Read through the
// paymaster (getDeposit) so a wrong PAYMASTER_ADDRESS fails loudly instead of reading an empty balance.
import type { Address } from 'viem';
import { chronosPaymasterAbi } from './contracts/abi.js';
import type { ChainPublicClient } from './clients.js';

export async function readPaymasterDeposit(client: Pick<ChainPublicClient, 'readContract'>, paymaster: Address): Promise<bigint> {
  return client.readContract({ address: paymaster, abi: chronosPaymasterAbi, functionName: 'getDeposit' });
}
