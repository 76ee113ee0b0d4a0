// The embedded default's demo client (what `npm start` creates and writes to .chronos/dev.json) gets
// its own ChronosToken like any client, keeps it across starts, and gets a new one if the chain was reset.
import { createPublicClient, http, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestDatabase, dropTestDatabase } from '../support/test-app.js';
import { testStackEnv } from '../support/stack-env.js';
import { ensureDemoClient } from '../../src/runtime/demo-client.js';
import { chronosCertificateAbi, chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { certificateIssuerAddress } from '../../src/accounts/certificate-issuer.js';
import { createDb, createPool, type Db } from '../../src/db/connect.js';
import { findClient, updateClient } from '../../src/db/clients.js';
import { createClient } from '../../src/admin/clients.js';

const stack = testStackEnv();
const masterKey = `0x${'42'.repeat(32)}` as const;
const publicClient = createPublicClient({ transport: http(stack.rpcUrl) });
let databaseUrl: string;
let pool: ReturnType<typeof createPool>;
let db: Db;

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  pool = createPool({ connectionString: databaseUrl, max: 1 });
  db = createDb(pool);
});
afterAll(async () => {
  await db.destroy();
  await dropTestDatabase(databaseUrl);
});

const ensure = (previous?: Awaited<ReturnType<typeof ensureDemoClient>>['demoClient']) =>
  ensureDemoClient({ databaseUrl, previous, rpcUrl: stack.rpcUrl, chainId: stack.chainId, token: stack.token, masterKey });
const isSigner = (token: Address, signer: Address) =>
  publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [signer] });

describe('the demo client', () => {
  it('is created with its own token, its signer authorized on it and not on the shared one, and keeps it on the next start', async () => {
    const first = await ensure();
    expect(first.token).not.toBe(stack.token);
    expect((await findClient(db, first.demoClient.clientId))?.token_address).toBe(first.token);
    expect(await isSigner(first.token, first.demoClient.signerAddress)).toBe(true);
    expect(await isSigner(stack.token, first.demoClient.signerAddress)).toBe(false);

    const again = await ensure(first.demoClient);
    expect(again).toEqual(first);
  });

  it('gets its own ChronosCertificate trusting its issuer alone, kept on the next start and made for one registered before certificates', async () => {
    const first = await ensure();
    const certificate = (await findClient(db, first.demoClient.clientId))!.certificate_address as Address;
    expect(certificate).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const trusts = (signer: Address) =>
      publicClient.readContract({ address: certificate, abi: chronosCertificateAbi, functionName: 'signers', args: [signer] });
    expect(await trusts(certificateIssuerAddress(masterKey, first.demoClient.clientId))).toBe(true);
    expect(await trusts(first.demoClient.signerAddress)).toBe(false);
    await ensure(first.demoClient);
    expect((await findClient(db, first.demoClient.clientId))!.certificate_address).toBe(certificate);

    await updateClient(db, first.demoClient.clientId, { certificate_address: null });
    await ensure(first.demoClient);
    const made = (await findClient(db, first.demoClient.clientId))!.certificate_address as Address;
    expect(made).not.toBeNull();
    expect(made).not.toBe(certificate);
  });

  it('gets a new token when its token is gone from the chain (chain reset, database kept)', async () => {
    const first = await ensure();
    await updateClient(db, first.demoClient.clientId, { token_address: '0x000000000000000000000000000000000000dEaD' });
    const again = await ensure(first.demoClient);
    expect(again.demoClient).toEqual(first.demoClient);
    expect(again.token).not.toBe('0x000000000000000000000000000000000000dEaD');
    expect(await publicClient.getCode({ address: again.token })).toBeDefined();
    expect((await findClient(db, first.demoClient.clientId))?.token_address).toBe(again.token);
    expect(await isSigner(again.token, first.demoClient.signerAddress)).toBe(true);
  });

  it('registered before tokens were per client, keeps the shared token', async () => {
    const signerPrivateKey = generatePrivateKey();
    const signerAddress = privateKeyToAccount(signerPrivateKey).address;
    const created = await createClient(db, { name: 'demo', signerAddress });
    const previous = {
      clientId: created.client.clientId,
      clientSecret: created.clientSecret,
      webhookSecret: created.webhookSecret,
      signerPrivateKey,
      signerAddress,
    };
    const kept = await ensure(previous);
    expect(kept.token).toBe(stack.token);
    expect((await findClient(db, created.client.clientId))?.token_address).toBeNull();
    expect(await isSigner(stack.token, signerAddress)).toBe(true);
  });
});
