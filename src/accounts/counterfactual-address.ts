import type { Address, Hex } from 'viem';
import type { ChainPublicClient } from '../chain/clients.js';
import { deriveOwnerPrivateKey, type UserRef } from './derive-owner.js';
import { toUserSmartAccount, type AccountContracts } from './smart-account.js';

/** What deriving an address needs: the master key, the ERC-4337 contracts and the chain (an AppContext fits it). */
export type AddressContext = { config: { masterKey: Hex; contracts: AccountContracts }; publicClient: ChainPublicClient };

/** The address the user's SimpleAccount has (or will have once its first UserOperation deploys it). */
export async function counterfactualAddress({ config, publicClient }: AddressContext, user: UserRef): Promise<Address> {
  const account = await toUserSmartAccount(publicClient, {
    ownerPrivateKey: deriveOwnerPrivateKey(config.masterKey, user),
    contracts: config.contracts,
  });
  return account.getAddress();
}
