// Each client mints its own ChronosToken (README "Decisions"): `clients create` deploys one, owned by
// the deployer key, and authorizes the client's signer on it, so no other client's signer can mint
// it, use up its receipt ids or move its users' mint nonces.
import { createWalletClient, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../chain/clients.js';
import { deployChronosToken, setTokenSigner, type DeployerClient } from '../chain/contracts/deploy.js';

export type ClientToken = { token: Address; owner: Address; signerTxHash?: Hex };

/** The wallet client of the key that deploys (and so owns) clients' tokens. */
export function createDeployerClient({ rpcUrl, chainId, privateKey }: { rpcUrl: string; chainId: number; privateKey: Hex }): DeployerClient {
  return createWalletClient({ account: privateKeyToAccount(privateKey), chain: toChain({ rpcUrl, chainId }), transport: http(rpcUrl), pollingInterval: 100 });
}

/** Deploys a ChronosToken for one client and, when it has one, authorizes its mint signer on it. */
export async function deployClientToken(deployer: DeployerClient, { signer }: { signer?: Address } = {}): Promise<ClientToken> {
  const token = await deployChronosToken(deployer, { owner: deployer.account.address });
  const signerTxHash = signer ? await setTokenSigner(deployer, { token, signer, authorized: true }) : undefined;
  return { token, owner: deployer.account.address, signerTxHash };
}

/** The one line `clients create` fails with when it has no key to deploy the client's token with. */
export const NO_DEPLOYER_KEY =
  "clients create deploys the client's own ChronosToken: set DEPLOYER_PRIVATE_KEY (with RPC_URL and CHAIN_ID), or pass --token 0xADDRESS to share an existing token";

export const sharedTokenWarning = (token: Address) =>
  `warning: sharing ChronosToken ${token} deliberately: every client whose signer is authorized on it can mint it, and their receipt ids and users' mint nonces are one namespace`;
