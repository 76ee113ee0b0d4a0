// What every `chronos paymaster` subcommand starts from: the paymaster, a client of its chain and,
// when a key is known, the deployer's wallet (the owner, who funds the paymaster and alone withdraws).
import { createChainPublicClient, type ChainPublicClient } from '../../../chain/clients.js';
import { createDeployerClient } from '../../../admin/client-token.js';
import type { DeployerClient } from '../../../chain/contracts/deploy.js';
import { resolvePaymasterEnvironment, type PaymasterEnvironment } from '../../admin-environment.js';
import { UsageError } from '../../output.js';

export type PaymasterConnection = PaymasterEnvironment & { publicClient: ChainPublicClient; deployer?: DeployerClient };

export async function connectPaymaster(): Promise<PaymasterConnection> {
  const environment = await resolvePaymasterEnvironment();
  const key = environment.deployerPrivateKey;
  if (key !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('DEPLOYER_PRIVATE_KEY must be 0x + 64 hex characters');
  const deployer = key ? createDeployerClient({ ...environment.chain, privateKey: key }) : undefined;
  const publicClient = createChainPublicClient({ rpcUrls: [environment.chain.rpcUrl], chainId: environment.chain.chainId });
  // Else a wrong address surfaces as viem's many-line "returned no data" from the first read.
  if (!(await publicClient.getCode({ address: environment.paymaster }))) {
    const where = environment.embedded ? "the embedded default's paymaster (.chronos/dev.json)" : 'PAYMASTER_ADDRESS';
    throw new UsageError(
      `${where} ${environment.paymaster} has no contract on chain ${environment.chain.chainId}; is it the address \`chronos contracts deploy\` printed?`,
    );
  }
  return { ...environment, publicClient, deployer };
}

/** For the subcommands that send a transaction: without the deployer's key there is no one to send it. */
export async function connectPaymasterAsDeployer(): Promise<PaymasterConnection & { deployer: DeployerClient }> {
  const connection = await connectPaymaster();
  const { deployer } = connection;
  if (!deployer)
    throw new UsageError('DEPLOYER_PRIVATE_KEY must be set (0x + 64 hex characters): the deployer funds the paymaster and, as its owner, withdraws');
  return { ...connection, deployer };
}
