// The embedded default's demo client: created on first start with a fresh mint signer authorized on
// the token, and reused on every later start.
import { createPublicClient, http, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createDb, createPool } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { findClient } from '../db/clients.js';
import { createClient, rotateClientSecret } from '../admin/clients.js';
import { verifySecret } from '../auth/secrets.js';
import { authorizeSigner } from '../admin/authorize-signer.js';
import { chronosTokenAbi } from '../chain/contracts/abi.js';
import { toChain } from '../chain/clients.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from './embedded-keys.js';
import type { DevFile } from './home.js';

export async function ensureDemoClient(params: {
  databaseUrl: string; previous?: DevFile['demoClient']; rpcUrl: string; chainId: number; token: Address;
}): Promise<DevFile['demoClient']> {
  const pool = createPool({ connectionString: params.databaseUrl, max: 2 });
  const db = createDb(pool);
  try {
    await migrate(pool);
    let demo = params.previous;
    const existing = demo && (await findClient(db, demo.clientId));
    if (!demo || !existing || existing.revoked_at) {
      const signer = generatePrivateKey();
      const signerAddress = privateKeyToAccount(signer).address;
      const created = await createClient(db, { name: 'demo', signerAddress });
      demo = {
        clientId: created.client.clientId, clientSecret: created.clientSecret, webhookSecret: created.webhookSecret,
        signerPrivateKey: signer, signerAddress,
      };
    } else {
      // Rotated where dev.json could not follow (DATABASE_URL pointed at it): the webhook secret is
      // stored and read back; a client secret is only hashed, so a new one is issued for the banner.
      demo = { ...demo, webhookSecret: existing.webhook_secret };
      if (!(await verifySecret(demo.clientSecret, existing.secret_hash))) {
        demo = { ...demo, clientSecret: (await rotateClientSecret(db, demo.clientId)).clientSecret };
      }
    }
    // The chain may have been reset while the database was kept: make sure the signer is authorized.
    const publicClient = createPublicClient({ chain: toChain(params), transport: http(params.rpcUrl) });
    const authorized = await publicClient.readContract({ address: params.token, abi: chronosTokenAbi, functionName: 'signers', args: [demo.signerAddress] });
    if (!authorized) {
      await authorizeSigner({ ...params, signer: demo.signerAddress, ownerPrivateKey: EMBEDDED_DEPLOYER_PRIVATE_KEY });
    }
    return demo;
  } finally {
    await db.destroy();
  }
}
