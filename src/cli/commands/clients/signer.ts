// Authorizing a client's signer on ChronosToken (clients create --signer, clients set-signer).
import type { Address } from 'viem';
import type { SignerAuthorization } from '../../../admin/authorize-signer.js';
import type { AdminEnvironment } from '../../admin-environment.js';

export async function authorize(env: AdminEnvironment, signer: Address): Promise<SignerAuthorization> {
  if (!env.chain?.token) {
    return { authorized: false, instruction: `set RPC_URL, CHAIN_ID and TOKEN_ADDRESS (and DEPLOYER_PRIVATE_KEY) to authorize ${signer} on ChronosToken, or call setSigner(${signer}, true) as its owner` };
  }
  // viem and the chain code load only when a signer is authorized.
  const { authorizeSigner } = await import('../../../admin/authorize-signer.js');
  return authorizeSigner({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, token: env.chain.token, signer, ownerPrivateKey: env.deployerPrivateKey });
}

export function describeAuthorization(a: SignerAuthorization): string {
  return a.authorized ? `  signer authorized on ChronosToken (tx ${a.txHash})` : `  signer NOT yet authorized on-chain: ${a.instruction}`;
}
