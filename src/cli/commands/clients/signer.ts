// Authorizing a client's signer on its ChronosToken (clients create --signer, clients set-signer), and
// deploying a client's own token and certificate contract (clients create, clients enable-certificates).
import type { Address } from 'viem';
import type { SignerAuthorization } from '../../../admin/authorize-signer.js';
import type { ClientToken } from '../../../admin/client-token.js';
import type { ClientCertificate } from '../../../admin/client-certificate.js';
import type { AdminEnvironment } from '../../admin-environment.js';
import { UsageError } from '../../output.js';

/** Authorizes the signer on the client's token (`token`), or on the shared TOKEN_ADDRESS for a client without its own. */
export async function authorize(env: AdminEnvironment, signer: Address, token?: Address): Promise<SignerAuthorization> {
  const on = token ?? env.chain?.token;
  if (!env.chain || !on) {
    return {
      authorized: false,
      instruction: `set RPC_URL, CHAIN_ID${token ? '' : ' and TOKEN_ADDRESS'} (and DEPLOYER_PRIVATE_KEY) to authorize ${signer} on ChronosToken${token ? ` ${token}` : ''}, or call setSigner(${signer}, true) as its owner`,
    };
  }
  // viem and the chain code load only when a signer is authorized.
  const { authorizeSigner } = await import('../../../admin/authorize-signer.js');
  return authorizeSigner({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, token: on, signer, ownerPrivateKey: env.deployerPrivateKey });
}

/** Deploys the client's own ChronosToken with the deployer key and authorizes its signer on it. */
export async function deployTokenFor(env: AdminEnvironment, signer: Address | undefined): Promise<ClientToken> {
  const { createDeployerClient, deployClientToken, NO_DEPLOYER_KEY } = await import('../../../admin/client-token.js');
  if (!env.chain || !env.deployerPrivateKey) throw new UsageError(NO_DEPLOYER_KEY);
  return deployClientToken(createDeployerClient({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, privateKey: env.deployerPrivateKey }), { signer });
}

/**
 * Deploys the client's own ChronosCertificate and authorizes its issuer key on it; undefined when
 * the deployer key or MASTER_KEY is not at hand (the client then issues no certificates until
 * `clients enable-certificates`).
 */
export async function deployCertificateFor(env: AdminEnvironment, clientId: string): Promise<ClientCertificate | undefined> {
  if (!env.chain || !env.deployerPrivateKey || !env.masterKey || !/^0x[0-9a-fA-F]{64}$/.test(env.masterKey)) return undefined;
  const { createDeployerClient } = await import('../../../admin/client-token.js');
  const { deployClientCertificate } = await import('../../../admin/client-certificate.js');
  const deployer = createDeployerClient({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, privateKey: env.deployerPrivateKey });
  return deployClientCertificate(deployer, { masterKey: env.masterKey, clientId });
}

/** Why a client was registered without certificates, and what enables them. */
export const NO_CERTIFICATE_KEYS =
  "certificates:  not enabled: deploying the client's ChronosCertificate needs DEPLOYER_PRIVATE_KEY and the API's MASTER_KEY (with RPC_URL and CHAIN_ID); set them and run `chronos clients enable-certificates CLIENT_ID`";

export function describeAuthorization(a: SignerAuthorization): string {
  return a.authorized ? `  signer authorized on ChronosToken (tx ${a.txHash})` : `  signer NOT yet authorized on-chain: ${a.instruction}`;
}
