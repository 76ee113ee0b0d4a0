import type { Address } from 'viem';
import type { AppContext } from '../context.js';
import { deriveOwnerPrivateKey, type UserRef } from './derive-owner.js';
import { toUserSmartAccount } from './smart-account.js';

/** The address the user's SimpleAccount has (or will have once its first UserOperation deploys it). */
export async function counterfactualAddress({ config, publicClient }: Pick<AppContext, 'config' | 'publicClient'>, user: UserRef): Promise<Address> {
  const account = await toUserSmartAccount(publicClient, {
    ownerPrivateKey: deriveOwnerPrivateKey(config.masterKey, user),
    contracts: config.contracts,
  });
  return account.getAddress();
}
