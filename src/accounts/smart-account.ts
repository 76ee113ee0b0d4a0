import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toSimpleSmartAccount, type ToSimpleSmartAccountReturnType } from 'permissionless/accounts';
import type { ChainPublicClient } from '../chain/clients.js';

export type AccountContracts = { entryPoint: Address; accountFactory: Address };

export type UserSmartAccount = ToSimpleSmartAccountReturnType<'0.7'>;

/** The user's SimpleAccount (EntryPoint v0.7), owned by the derived key; deployed by its first UserOperation. */
export function toUserSmartAccount(
  client: ChainPublicClient,
  {
    ownerPrivateKey,
    contracts,
    address,
  }: {
    ownerPrivateKey: Hex;
    contracts: AccountContracts;
    address?: Address;
  },
): Promise<UserSmartAccount> {
  return toSimpleSmartAccount({
    client,
    owner: privateKeyToAccount(ownerPrivateKey),
    factoryAddress: contracts.accountFactory,
    entryPoint: { address: contracts.entryPoint, version: '0.7' },
    address,
  });
}
