// The embedded default's demo client: created on first start with a fresh mint signer, its own
// ChronosToken (README "Decisions": one token per client) and its own ChronosCertificate, and reused
// on every later start.
import { createPublicClient, getAddress, http, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createDb, createPool } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { findClient, updateClient } from '../db/clients.js';
import { createClient, rotateClientSecret } from '../admin/clients.js';
import { verifySecret } from '../auth/secrets.js';
import { authorizeSigner } from '../admin/authorize-signer.js';
import { createDeployerClient, deployClientToken } from '../admin/client-token.js';
import { deployClientCertificate } from '../admin/client-certificate.js';
import { generateClientId } from '../auth/secrets.js';
import { chronosTokenAbi } from '../chain/contracts/abi.js';
import { toChain } from '../chain/clients.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from './embedded-keys.js';
import type { DevFile } from './home.js';

/** The demo client, the token it mints (dev.json's `token`) and the contract it issues certificates on (dev.json's `certificate`). */
export async function ensureDemoClient(params: {
  databaseUrl: string;
  previous?: DevFile['demoClient'];
  rpcUrl: string;
  chainId: number;
  /** The shared TOKEN_ADDRESS: the token of a demo client created before tokens were per client. */
  token: Address;
  /** The embedded default's MASTER_KEY: the demo client's certificate issuer is derived from it. */
  masterKey: Hex;
}): Promise<{ demoClient: DevFile['demoClient']; token: Address; certificate: Address }> {
  const pool = createPool({ connectionString: params.databaseUrl, max: 2 });
  const db = createDb(pool);
  const deployer = createDeployerClient({ rpcUrl: params.rpcUrl, chainId: params.chainId, privateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY });
  try {
    await migrate(pool);
    let demo = params.previous;
    const existing = demo && (await findClient(db, demo.clientId));
    if (!demo || !existing || existing.revoked_at) {
      const signer = generatePrivateKey();
      const signerAddress = privateKeyToAccount(signer).address;
      const { token } = await deployClientToken(deployer, { signer: signerAddress });
      const id = generateClientId();
      const { certificate } = await deployClientCertificate(deployer, { masterKey: params.masterKey, clientId: id });
      const created = await createClient(db, { id, name: 'demo', signerAddress, tokenAddress: token, certificateAddress: certificate });
      demo = {
        clientId: created.client.clientId,
        clientSecret: created.clientSecret,
        webhookSecret: created.webhookSecret,
        signerPrivateKey: signer,
        signerAddress,
      };
      return { demoClient: demo, token, certificate };
    }
    // Rotated where dev.json could not follow (DATABASE_URL pointed at it): the webhook secret is
    // stored and read back; a client secret is only hashed, so a new one is issued for the banner.
    demo = { ...demo, webhookSecret: existing.webhook_secret };
    if (!(await verifySecret(demo.clientSecret, existing.secret_hash))) {
      demo = { ...demo, clientSecret: (await rotateClientSecret(db, demo.clientId)).clientSecret };
    }
    // The chain may have been reset while the database was kept: the token and the signer's authorization go with it.
    const publicClient = createPublicClient({ chain: toChain(params), transport: http(params.rpcUrl) });
    // Its certificate contract likewise (or it was created before certificates).
    let certificate = existing.certificate_address ? getAddress(existing.certificate_address) : undefined;
    if (!certificate || !(await publicClient.getCode({ address: certificate }))) {
      ({ certificate } = await deployClientCertificate(deployer, { masterKey: params.masterKey, clientId: demo.clientId }));
      await updateClient(db, demo.clientId, { certificate_address: certificate });
    }
    const token = existing.token_address ? getAddress(existing.token_address) : params.token;
    if (!(await publicClient.getCode({ address: token }))) {
      const redeployed = await deployClientToken(deployer, { signer: demo.signerAddress });
      await updateClient(db, demo.clientId, { token_address: redeployed.token });
      return { demoClient: demo, token: redeployed.token, certificate };
    }
    const authorized = await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [demo.signerAddress] });
    if (!authorized) {
      await authorizeSigner({ ...params, token, signer: demo.signerAddress, ownerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY });
    }
    return { demoClient: demo, token, certificate };
  } finally {
    await db.destroy();
  }
}
