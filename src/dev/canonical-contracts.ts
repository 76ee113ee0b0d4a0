// A fresh local chain has none of the ERC-4337 contracts that bundlers, paymasters and permissionless
// assume at fixed addresses. This puts them there, byte for byte as on public chains, by sending the
// published artifacts through the CREATE2 deployer with the canonical salts.
import { createRequire } from 'node:module';
import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  getAddress,
  getCreate2Address,
  http,
  isAddressEqual,
  type Address,
  type Hash,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { entryPoint07Address } from 'viem/account-abstraction';

/** Arachnid's deterministic deployment proxy; anvil predeploys it. */
export const CREATE2_DEPLOYER_ADDRESS: Address = '0x4e59b44847b379578588920ca78fbf26c0b4956c';
export const ENTRY_POINT_07_ADDRESS: Address = entryPoint07Address;
/** The factory permissionless' `toSimpleSmartAccount` uses by default on EntryPoint v0.7. */
export const SIMPLE_ACCOUNT_FACTORY_07_ADDRESS: Address = '0x91E60e0613810449d098b0b5Ec8b51A0FE8c8985';

const ZERO_SALT: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000';

export type CanonicalContractName = 'EntryPoint v0.7' | 'SimpleAccountFactory v0.7';

type CanonicalContract = { name: CanonicalContractName; address: Address; salt: Hex; initCode: () => Hex };

const require = createRequire(import.meta.url);
const bytecodeOf = (artifact: string): Hex => (require(artifact) as { bytecode: Hex }).bytecode;

// In deployment order: what Chronos (EntryPoint v0.7 accounts) and alto need, nothing more.
const CANONICAL_CONTRACTS: readonly CanonicalContract[] = [
  {
    name: 'EntryPoint v0.7',
    address: ENTRY_POINT_07_ADDRESS,
    salt: '0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3',
    initCode: () => bytecodeOf('account-abstraction-v07/artifacts/EntryPoint.json'),
  },
  {
    name: 'SimpleAccountFactory v0.7',
    address: SIMPLE_ACCOUNT_FACTORY_07_ADDRESS,
    salt: ZERO_SALT,
    initCode: () =>
      concat([bytecodeOf('account-abstraction-v07/artifacts/SimpleAccountFactory.json'), encodeAbiParameters([{ type: 'address' }], [ENTRY_POINT_07_ADDRESS])]),
  },
];

export type DeployCanonicalAccountContractsParameters = {
  /** A funded key; it only pays gas, the addresses do not depend on it. */
  deployerPrivateKey: Hex;
};

export type DeployCanonicalAccountContractsReturnType = {
  /** What this call deployed; empty when everything was already there (a restarted chain with state). */
  deployed: CanonicalContractName[];
};

/**
 * Deploys EntryPoint v0.7 and SimpleAccountFactory v0.7 at their canonical addresses,
 * skipping those whose code is already present. Throws if an artifact would land elsewhere or a
 * deployment leaves no code behind.
 */
export async function deployCanonicalAccountContracts(
  rpcUrl: string,
  { deployerPrivateKey }: DeployCanonicalAccountContractsParameters,
): Promise<DeployCanonicalAccountContractsReturnType> {
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ transport, pollingInterval: 50 });
  const account = privateKeyToAccount(deployerPrivateKey);
  const walletClient = createWalletClient({ account, transport });

  if (!(await hasCode(publicClient, CREATE2_DEPLOYER_ADDRESS))) {
    throw new Error(`no CREATE2 deployer at ${CREATE2_DEPLOYER_ADDRESS} on ${rpcUrl}; anvil predeploys it, other chains need it deployed first`);
  }

  const present = await Promise.all(CANONICAL_CONTRACTS.map((contract) => hasCode(publicClient, contract.address)));
  const missing = CANONICAL_CONTRACTS.filter((_, i) => !present[i]);
  if (missing.length === 0) return { deployed: [] };

  // Send everything back to back with explicit nonces, then wait once: one round of mining, not two.
  let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
  const sent: { contract: CanonicalContract; hash: Hash }[] = [];
  for (const contract of missing) {
    const initCode = contract.initCode();
    const predicted = getCreate2Address({ from: CREATE2_DEPLOYER_ADDRESS, salt: contract.salt, bytecode: initCode });
    if (!isAddressEqual(predicted, contract.address)) {
      throw new Error(
        `${contract.name} artifact would deploy to ${predicted}, not the canonical ${contract.address}; check the installed @account-abstraction/contracts versions`,
      );
    }
    const hash = await walletClient.sendTransaction({
      chain: null,
      to: CREATE2_DEPLOYER_ADDRESS,
      data: concat([contract.salt, initCode]),
      nonce: nonce++,
    });
    sent.push({ contract, hash });
  }

  await Promise.all(
    sent.map(async ({ contract, hash }) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 });
      if (receipt.status !== 'success') throw new Error(`deploying ${contract.name} reverted in transaction ${hash}`);
      if (!(await hasCode(publicClient, contract.address))) {
        throw new Error(`deploying ${contract.name} succeeded in ${hash} but left no code at ${getAddress(contract.address)}`);
      }
    }),
  );
  return { deployed: sent.map(({ contract }) => contract.name) };
}

async function hasCode(client: { getCode(args: { address: Address }): Promise<Hex | undefined> }, address: Address): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== '0x';
}
