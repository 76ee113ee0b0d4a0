// Authorizing a client's mint signer on ChronosToken takes the token owner's key: the embedded
// chain's deployer, or DEPLOYER_PRIVATE_KEY elsewhere. Without a key we say what the operator must do.
import { createWalletClient, http, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { toChain } from '../chain/clients.js';
import { setTokenSigner } from '../chain/contracts/deploy.js';

export type SignerAuthorization = { authorized: true; txHash: Hex } | { authorized: false; instruction: string };

export async function authorizeSigner(params: {
  rpcUrl: string;
  chainId: number;
  token: Address;
  signer: Address;
  ownerPrivateKey?: Hex;
}): Promise<SignerAuthorization> {
  if (!params.ownerPrivateKey) {
    return {
      authorized: false,
      instruction: `as the owner of ChronosToken ${params.token}, call setSigner(${params.signer}, true) (or set DEPLOYER_PRIVATE_KEY and run this command again)`,
    };
  }
  const walletClient = createWalletClient({
    account: privateKeyToAccount(params.ownerPrivateKey),
    chain: toChain(params),
    transport: http(params.rpcUrl),
  });
  const txHash = await setTokenSigner(walletClient, { token: params.token, signer: params.signer, authorized: true });
  return { authorized: true, txHash };
}
