// A chain of one test file's own, for faults that would disturb every other file on the shared one
// (a base fee ×10, mining by hand): anvil with the canonical ERC-4337 contracts, Chronos's contracts
// (the paymaster funded, signed for by the tests' paymaster signer) and an alto of its own.
import { createPublicClient, http, parseEther, type Address, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createDeployerClient, deployClientToken } from '../../src/admin/client-token.js';
import { contractEnvironment } from '../../src/chain/contracts/registry.js';
import { deployChronosContracts, depositToPaymaster } from '../../src/chain/contracts/deploy.js';
import { startBundler, type Bundler } from '../../src/dev/alto.js';
import { startAnvil, type Anvil } from '../../src/dev/anvil.js';
import { ENTRY_POINT_07_ADDRESS, deployCanonicalAccountContracts } from '../../src/dev/canonical-contracts.js';
import { getFreePorts } from '../../src/dev/free-port.js';
import { ANVIL_DEV_KEYS } from '../../src/runtime/embedded-keys.js';
import { TEST_PAYMASTER_SIGNER_KEY } from '../support/stack-env.js';

export type OwnChain = {
  rpcUrl: string;
  bundlerUrl: string;
  chain: PublicClient;
  /** The variables that point a Chronos app at this chain instead of the shared one. */
  env: Record<string, string>;
  /** A ChronosToken on this chain with `signer` authorized to sign its mints. */
  deployToken(signer: Address): Promise<Address>;
  anvil(method: string, params?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
};

/** `bundlerArgs`: extra alto flags (alto.ts's StartBundlerParameters.extraArgs). */
export async function startOwnChain({ bundlerArgs = [] }: { bundlerArgs?: readonly string[] } = {}): Promise<OwnChain> {
  const [chainPort, bundlerPort] = await getFreePorts(2);
  const node: Anvil = await startAnvil({ port: chainPort });
  let bundler: Bundler | undefined;
  try {
    const chain = createPublicClient({ transport: http(node.rpcUrl), pollingInterval: 50 });
    const chainId = await chain.getChainId();
    const deployer = createDeployerClient({ rpcUrl: node.rpcUrl, chainId, privateKey: ANVIL_DEV_KEYS[0] });
    await deployCanonicalAccountContracts(node.rpcUrl, { deployerPrivateKey: ANVIL_DEV_KEYS[0] });
    const contracts = await deployChronosContracts(deployer, {
      owner: deployer.account.address,
      entryPoint: ENTRY_POINT_07_ADDRESS,
      paymasterSigner: privateKeyToAccount(TEST_PAYMASTER_SIGNER_KEY).address,
    });
    await depositToPaymaster(deployer, { paymaster: contracts.paymaster!, amount: parseEther('100') });
    bundler = await startBundler({
      rpcUrl: node.rpcUrl,
      port: bundlerPort,
      executorPrivateKeys: ANVIL_DEV_KEYS.slice(1, 3),
      utilityPrivateKey: ANVIL_DEV_KEYS[3],
      extraArgs: bundlerArgs,
    });
    const stopBundler = bundler.stop;
    // Token deployments share the deployer key: one at a time.
    let queue: Promise<unknown> = Promise.resolve();
    return {
      rpcUrl: node.rpcUrl,
      bundlerUrl: bundler.url,
      chain: chain as PublicClient,
      env: {
        RPC_URL: node.rpcUrl,
        BUNDLER_URL: bundler.url,
        CHAIN_ID: String(chainId),
        ...contractEnvironment({ ...contracts, paymaster: contracts.paymaster!, escrow: contracts.escrow!, certificate: contracts.certificate! }),
      },
      deployToken(signer) {
        const run = queue.then(async () => (await deployClientToken(deployer, { signer })).token);
        queue = run.catch(() => undefined);
        return run;
      },
      anvil: (method, params = []) => chain.request({ method: method as never, params: params as never }),
      async stop() {
        await stopBundler();
        await node.stop();
      },
    };
  } catch (error) {
    await bundler?.stop();
    await node.stop();
    throw error;
  }
}
