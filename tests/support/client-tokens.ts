// Test clients get their own ChronosToken the way `chronos clients create` gives one: deployed by the
// test deployer key (anvil dev key 0), with the client's signer authorized on it. Every use of that
// key in this process goes through one queue, so concurrent client creation cannot race on its nonce.
import type { Address, Hex } from 'viem';
import { deployClientCertificate, type ClientCertificate } from '../../src/admin/client-certificate.js';
import { createDeployerClient, deployClientToken, type ClientToken } from '../../src/admin/client-token.js';
import type { DeployerClient } from '../../src/chain/contracts/deploy.js';
import { TEST_DEPLOYER_PRIVATE_KEY } from './stack.js';
import { testStackEnv } from './stack-env.js';

let deployer: DeployerClient | undefined;
let queue: Promise<unknown> = Promise.resolve();

/** Runs `use` with the test deployer's wallet client, after every earlier use has finished. */
export function withTestDeployer<T>(use: (deployer: DeployerClient) => Promise<T>): Promise<T> {
  const stack = testStackEnv();
  deployer ??= createDeployerClient({ rpcUrl: stack.rpcUrl, chainId: stack.chainId, privateKey: TEST_DEPLOYER_PRIVATE_KEY });
  const run = queue.then(() => use(deployer!));
  queue = run.catch(() => undefined);
  return run;
}

export function deployTestClientToken({ signer }: { signer?: Address } = {}): Promise<ClientToken> {
  return withTestDeployer((client) => deployClientToken(client, { signer }));
}

/** The client's own ChronosCertificate, as `clients create` deploys it, trusting the issuer `masterKey` derives for it. */
export function deployTestClientCertificate({ masterKey, clientId }: { masterKey: Hex; clientId: string }): Promise<ClientCertificate> {
  return withTestDeployer((client) => deployClientCertificate(client, { masterKey, clientId }));
}
