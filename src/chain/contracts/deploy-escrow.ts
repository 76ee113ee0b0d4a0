// ChronosEscrow is deployed on its own, not through the registry: a registry entry would make its
// address a required configuration variable of every deployment, payments or not.
import { getAddress, type Address } from 'viem';
import { deployContract, waitForTransactionReceipt } from 'viem/actions';
import { chronosEscrowAbi } from './abi.js';
import { compileContract } from './compile.js';
import type { DeployerClient } from './deploy.js';

/** Deploys one ChronosEscrow (no constructor arguments: it serves every client's token); resolves once it is mined. */
export async function deployChronosEscrow(client: DeployerClient): Promise<Address> {
  const { bytecode } = await compileContract('ChronosEscrow');
  const hash = await deployContract(client, { abi: chronosEscrowAbi, bytecode });
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(`Deploying ChronosEscrow failed (transaction ${hash}, status ${receipt.status}); check that the deployer has funds.`);
  }
  // Receipts carry lowercase addresses; checksummed ones compare equal to what viem decodes elsewhere.
  return getAddress(receipt.contractAddress);
}
