import { getAddress, type Abi, type Account, type Address, type Chain, type Hash, type TransactionReceipt, type Transport, type WalletClient } from 'viem';
import { deployContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { chronosPaymasterAbi, chronosTokenAbi } from './abi.js';
import { compileContracts } from './compile.js';
import {
  CHRONOS_CONTRACTS,
  chronosContract,
  type ChronosContract,
  type ChronosContractAddresses,
  type ConfiguredContractAddresses,
  type DeployContext,
} from './registry.js';

/** A wallet client that can send transactions on its own: it carries the sending account and chain. */
export type DeployerClient = WalletClient<Transport, Chain, Account>;

export type DeployChronosContractsParameters = DeployContext;
export type DeployChronosContractsReturnType = ConfiguredContractAddresses;

/**
 * Deploys every contract of the registry in its order: a ChronosToken (the deployment's shared
 * TOKEN_ADDRESS), the ClaimVault every token's claims go through, the paymaster (only given its
 * signer: a deployment sponsored by a hosted paymaster has none), each confirmed before the next.
 */
export async function deployChronosContracts(client: DeployerClient, context: DeployChronosContractsParameters): Promise<DeployChronosContractsReturnType> {
  const deployed: Partial<ChronosContractAddresses> = {};
  for (const contract of CHRONOS_CONTRACTS) {
    if (contract.needed === 'own-sponsorship' && !context.paymasterSigner) continue;
    deployed[contract.key] = await deployChronosContract(client, contract, context);
  }
  return deployed as ConfiguredContractAddresses;
}

/** Deploys one registry entry with its constructor arguments; resolves once it is mined. */
export async function deployChronosContract(client: DeployerClient, contract: ChronosContract, context: DeployContext): Promise<Address> {
  const compiled = (await compileContracts())[contract.name];
  // The entry checked its arguments against its own ABI; the union of every entry's is too wide for viem to check again.
  const args = contract.constructorArgs(context) as readonly unknown[];
  const hash = await deployContract(client, { abi: contract.abi as Abi, bytecode: compiled.bytecode, args });
  return deployedAddress(contract.name, await waitForTransactionReceipt(client, { hash }));
}

/** Deploys one ChronosToken owned by `owner` (a client's own, src/admin/client-token.ts); resolves once it is mined. */
export async function deployChronosToken(client: DeployerClient, { owner }: DeployContext): Promise<Address> {
  return deployChronosContract(client, chronosContract('token'), { owner });
}

export type SetTokenSignerParameters = { token: Address; signer: Address; authorized: boolean };

/** Authorizes or revokes a mint signer; the client's account must be the token owner. Resolves once mined. */
export async function setTokenSigner(client: DeployerClient, { token, signer, authorized }: SetTokenSignerParameters): Promise<Hash> {
  const hash = await writeContract(client, {
    address: token,
    abi: chronosTokenAbi,
    functionName: 'setSigner',
    args: [signer, authorized],
  });
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') {
    throw new Error(`setSigner(${signer}, ${authorized}) on ${token} reverted in transaction ${hash}; is ${client.account.address} the token owner?`);
  }
  return hash;
}

/** Adds `amount` wei to the paymaster's EntryPoint deposit, from which it pays for what it sponsors. Resolves once mined. */
export async function depositToPaymaster(client: DeployerClient, { paymaster, amount }: { paymaster: Address; amount: bigint }): Promise<Hash> {
  const hash = await writeContract(client, { address: paymaster, abi: chronosPaymasterAbi, functionName: 'deposit', value: amount });
  const receipt = await waitForTransactionReceipt(client, { hash });
  if (receipt.status !== 'success') throw new Error(`depositing ${amount} wei to the paymaster ${paymaster} reverted in transaction ${hash}`);
  return hash;
}

function deployedAddress(contract: string, receipt: TransactionReceipt): Address {
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new Error(
      `Deploying ${contract} failed (transaction ${receipt.transactionHash}, status ${receipt.status}); `
        + 'check that the deployer has funds and the chain supports the cancun EVM version.',
    );
  }
  // Receipts carry lowercase addresses; checksummed ones compare equal to what viem decodes elsewhere.
  return getAddress(receipt.contractAddress);
}
