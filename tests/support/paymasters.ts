// A ChronosPaymaster of a test file's own (trusting the test signer key like the shared one, unless
// told otherwise): for tests that drain, top up or withdraw a deposit, which must not touch what every
// other file pays from.
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createDeployerClient } from '../../src/admin/client-token.js';
import { chronosContract } from '../../src/chain/contracts/registry.js';
import { deployChronosContract, depositToPaymaster } from '../../src/chain/contracts/deploy.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from './stack-env.js';
import { TEST_DEPLOYER_PRIVATE_KEY } from './stack.js';

/**
 * Deploys a paymaster with `deposit` wei at the EntryPoint (none by default), owned by `ownerKey`'s
 * account (the test deployer's by default, which must hold ETH) and trusting `verifyingSigner` (the
 * test signer key's address by default, like the shared paymaster).
 */
export async function deployTestPaymaster({
  deposit = 0n,
  ownerKey = TEST_DEPLOYER_PRIVATE_KEY,
  verifyingSigner = privateKeyToAccount(TEST_PAYMASTER_SIGNER_KEY).address,
}: {
  deposit?: bigint;
  ownerKey?: Hex;
  verifyingSigner?: Address;
} = {}): Promise<Address> {
  const stack = testStackEnv();
  const deployer = createDeployerClient({ rpcUrl: stack.rpcUrl, chainId: stack.chainId, privateKey: ownerKey });
  const paymaster = await deployChronosContract(deployer, chronosContract('paymaster'), {
    owner: deployer.account.address,
    entryPoint: ENTRY_POINT_07_ADDRESS,
    paymasterSigner: verifyingSigner,
  });
  if (deposit > 0n) await depositToPaymaster(deployer, { paymaster, amount: deposit });
  return paymaster;
}
