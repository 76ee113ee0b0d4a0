// A ChronosPaymaster of a test file's own, trusting the test signer key like the shared one: for tests
// that drain, top up or withdraw a deposit, which must not touch what every other file pays from.
import type { Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createDeployerClient } from '../../src/admin/client-token.js';
import { chronosContract } from '../../src/chain/contracts/registry.js';
import { deployChronosContract, depositToPaymaster } from '../../src/chain/contracts/deploy.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from './stack-env.js';
import { TEST_DEPLOYER_PRIVATE_KEY } from './stack.js';

function testDeployer() {
  const stack = testStackEnv();
  return createDeployerClient({ rpcUrl: stack.rpcUrl, chainId: stack.chainId, privateKey: TEST_DEPLOYER_PRIVATE_KEY });
}

/** Deploys a paymaster owned by the test deployer, with `deposit` wei at the EntryPoint (none by default). */
export async function deployTestPaymaster({ deposit = 0n }: { deposit?: bigint } = {}): Promise<Address> {
  const deployer = testDeployer();
  const paymaster = await deployChronosContract(deployer, chronosContract('paymaster'), {
    owner: deployer.account.address,
    entryPoint: ENTRY_POINT_07_ADDRESS,
    paymasterSigner: privateKeyToAccount(TEST_PAYMASTER_SIGNER_KEY).address,
  });
  if (deposit > 0n) await depositToPaymaster(deployer, { paymaster, amount: deposit });
  return paymaster;
}
