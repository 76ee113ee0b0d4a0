import { getAddress, type Account, type Address, type Chain, type Hash, type TransactionReceipt, type Transport, type WalletClient } from 'viem';
import { deployContract, waitForTransactionReceipt, writeContract } from 'viem/actions';
import { chronosTokenAbi, claimVaultAbi } from './abi.js';
import { compileContracts } from './compile.js';

/** A wallet client that can send transactions on its own: it carries the sending account and chain. */
export type DeployerClient = WalletClient<Transport, Chain, Account>;

export type DeployChronosContractsParameters = {
  /** Owner of ChronosToken, the only address that can authorize mint signers. */
  owner: Address;
};
export type DeployChronosContractsReturnType = { token: Address; claimVault: Address };

/**
 * Deploys a ChronosToken (the deployment's shared TOKEN_ADDRESS) and the ClaimVault every token's
 * claims go through, each confirmed before the next step.
 */
export async function deployChronosContracts(client: DeployerClient, { owner }: DeployChronosContractsParameters): Promise<DeployChronosContractsReturnType> {
  const token = await deployChronosToken(client, { owner });
  const claimVault = await deployClaimVault(client);
  return { token, claimVault };
}

/** Deploys one ChronosToken owned by `owner`; resolves once it is mined. */
export async function deployChronosToken(client: DeployerClient, { owner }: DeployChronosContractsParameters): Promise<Address> {
  const { ChronosToken } = await compileContracts();
  const hash = await deployContract(client, { abi: chronosTokenAbi, bytecode: ChronosToken.bytecode, args: [owner] });
  return deployedAddress('ChronosToken', await waitForTransactionReceipt(client, { hash }));
}

/** Deploys a ClaimVault (it serves every token); resolves once it is mined. */
export async function deployClaimVault(client: DeployerClient): Promise<Address> {
  const { ClaimVault } = await compileContracts();
  const hash = await deployContract(client, { abi: claimVaultAbi, bytecode: ClaimVault.bytecode });
  return deployedAddress('ClaimVault', await waitForTransactionReceipt(client, { hash }));
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
