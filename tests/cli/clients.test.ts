import { runChronosCli, type CliRun as Run } from '../support/cli.js';
import { createPublicClient, http } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestDatabase, dropTestDatabase } from '../support/test-app.js';
import { testStackEnv } from '../support/stack-env.js';
import { chronosCertificateAbi, chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { certificateIssuerAddress } from '../../src/accounts/certificate-issuer.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';
import { findClient } from '../../src/db/clients.js';
import { createDb, createPool } from '../../src/db/connect.js';
import { verifySecret } from '../../src/auth/secrets.js';

let databaseUrl: string;
let env: Record<string, string>;
const MASTER_KEY = `0x${'5a'.repeat(32)}` as const;

const chronos = (args: string[], extraEnv: Record<string, string | undefined> = {}) => runChronosCli(args, { ...env, ...extraEnv });

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  const stack = testStackEnv();
  env = {
    DATABASE_URL: databaseUrl,
    RPC_URL: stack.rpcUrl,
    CHAIN_ID: String(stack.chainId),
    TOKEN_ADDRESS: stack.token,
    DEPLOYER_PRIVATE_KEY: EMBEDDED_DEPLOYER_PRIVATE_KEY,
    MASTER_KEY: MASTER_KEY,
    // These tests register loopback and unresolvable example URLs (tests/webhooks covers the refusal).
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  };
});
afterAll(() => dropTestDatabase(databaseUrl));

const expectOneJsonObject = (run: Run) => {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  expect(typeof run.json).toBe('object');
};

describe('chronos clients', () => {
  let clientId: string;
  const signer = privateKeyToAccount(generatePrivateKey()).address;

  it('create --json prints one object with the secrets, deploys the client its own token and authorizes the signer on it', async () => {
    const run = await chronos(['clients', 'create', '--name', 'acme', '--signer', signer, '--webhook-url', 'http://127.0.0.1:9999/hook', '--json']);
    expect(run.code).toBe(0);
    expectOneJsonObject(run);
    expect(run.json).toMatchObject({
      clientId: expect.stringMatching(/^client_/),
      clientSecret: expect.stringMatching(/^sk_/),
      webhookSecret: expect.stringMatching(/^whsec_/),
      scopes: ['wallet', 'mint', 'transfer', 'claim', 'payments', 'certificates'],
      webhookUrl: 'http://127.0.0.1:9999/hook',
      signerAddress: signer,
      signerAuthorization: { authorized: true },
    });
    clientId = run.json.clientId;
    expect(run.json.tokenAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(run.json.tokenAddress).not.toBe(testStackEnv().token);
    const publicClient = createPublicClient({ transport: http(env.RPC_URL) });
    expect(await publicClient.readContract({ address: run.json.tokenAddress, abi: chronosTokenAbi, functionName: 'signers', args: [signer] })).toBe(true);
    expect(await publicClient.readContract({ address: testStackEnv().token, abi: chronosTokenAbi, functionName: 'signers', args: [signer] })).toBe(false);

    // Its own certificate contract, trusting the issuer MASTER_KEY derives for it alone.
    expect(run.json.certificateAddress).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const trusts = (issuer: `0x${string}`) =>
      publicClient.readContract({ address: run.json.certificateAddress, abi: chronosCertificateAbi, functionName: 'signers', args: [issuer] });
    expect(await trusts(certificateIssuerAddress(MASTER_KEY, clientId))).toBe(true);
    expect(await trusts(signer)).toBe(false);

    const pool = createPool({ connectionString: databaseUrl, max: 1 });
    const row = await findClient(createDb(pool), clientId);
    await pool.end();
    expect(await verifySecret(run.json.clientSecret, row!.secret_hash)).toBe(true);
    expect(row!.certificate_address).toBe(run.json.certificateAddress);
  });

  it('without MASTER_KEY registers the client without certificates, and enable-certificates deploys them later (once)', async () => {
    const run = await chronos(['clients', 'create', '--name', 'later', '--json'], { MASTER_KEY: undefined });
    expect(run.code).toBe(0);
    expect(run.json.certificateAddress).toBeNull();
    const human = await chronos(['clients', 'create', '--name', 'later-too'], { MASTER_KEY: undefined });
    expect(human.stdout).toContain('chronos clients enable-certificates CLIENT_ID');
    const refused = await chronos(['clients', 'enable-certificates', run.json.clientId, '--json'], { MASTER_KEY: undefined });
    expect(refused.code).not.toBe(0);
    expect(refused.json).toMatchObject({ error: expect.stringContaining('MASTER_KEY') });
    const enabled = await chronos(['clients', 'enable-certificates', run.json.clientId, '--json']);
    expect(enabled.code).toBe(0);
    expect(enabled.json).toMatchObject({ clientId: run.json.clientId, certificateAddress: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/) });
    expect(enabled.json.certificateIssuer).toBe(certificateIssuerAddress(MASTER_KEY, run.json.clientId));
    const again = await chronos(['clients', 'enable-certificates', run.json.clientId, '--json']);
    expect(again.json.certificateAddress).toBe(enabled.json.certificateAddress);
  });

  it('without an owner key, --token shares an existing token with a warning and says what call the operator must make', async () => {
    const other = privateKeyToAccount(generatePrivateKey()).address;
    const shared = testStackEnv().token;
    const run = await chronos(['clients', 'create', '--name', 'nokey', '--signer', other, '--token', shared, '--json'], { DEPLOYER_PRIVATE_KEY: undefined });
    expect(run.code).toBe(0);
    expectOneJsonObject(run);
    expect(run.json.tokenAddress).toBe(shared);
    expect(run.stderr).toContain(`warning: sharing ChronosToken ${shared} deliberately`);
    expect(run.json.signerAuthorization).toEqual({ authorized: false, instruction: expect.stringContaining(`setSigner(${other}, true)`) });
  });

  it('without an owner key and without --token, refuses with one line saying what to pass, and registers nothing', async () => {
    const before = await chronos(['clients', 'list', '--json']);
    const run = await chronos(['clients', 'create', '--name', 'nowhere', '--json'], { DEPLOYER_PRIVATE_KEY: undefined });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/DEPLOYER_PRIVATE_KEY.*--token 0xADDRESS/);
    expect((await chronos(['clients', 'list', '--json'])).json.clients).toHaveLength(before.json.clients.length);
  });

  it('list and show never include a secret', async () => {
    const list = await chronos(['clients', 'list', '--json']);
    expectOneJsonObject(list);
    expect(list.json.clients.map((c: { clientId: string }) => c.clientId)).toContain(clientId);
    const show = await chronos(['clients', 'show', clientId, '--json']);
    expect(show.json).toMatchObject({ clientId, name: 'acme', revoked: false });
    for (const run of [list, show]) expect(run.stdout).not.toMatch(/sk_|whsec_|scrypt/);
  });

  it('set-scopes, set-rate-limit and set-webhook change the client', async () => {
    expect((await chronos(['clients', 'set-scopes', clientId, 'wallet,mint', '--json'])).json.scopes).toEqual(['wallet', 'mint']);
    expect((await chronos(['clients', 'set-rate-limit', clientId, 'general=500,minting=50', '--json'])).json.rateLimits).toEqual({ general: 500, minting: 50 });
    expect((await chronos(['clients', 'set-webhook', clientId, 'https://example.com/hooks', '--json'])).json.webhookUrl).toBe('https://example.com/hooks');
  });

  it('rotate-secret and rotate-webhook-secret return new secrets once', async () => {
    const secret = await chronos(['clients', 'rotate-secret', clientId, '--json']);
    expect(secret.json.clientSecret).toMatch(/^sk_/);
    const hook = await chronos(['clients', 'rotate-webhook-secret', clientId, '--json']);
    expect(hook.json.webhookSecret).toMatch(/^whsec_/);
    expect(Date.parse(hook.json.previousSecretValidUntil)).toBeGreaterThan(Date.now());
  });

  it('revoke marks the client revoked', async () => {
    expect((await chronos(['clients', 'revoke', clientId, '--json'])).json).toMatchObject({ clientId, revoked: true });
  });

  it('unrevoke takes a revoked client back, and refuses an unknown id', async () => {
    expect((await chronos(['clients', 'unrevoke', clientId, '--json'])).json).toMatchObject({ clientId, revoked: false, revokedAt: null });
    expect((await chronos(['clients', 'show', clientId, '--json'])).json).toMatchObject({ clientId, revoked: false });
    const unknown = await chronos(['clients', 'unrevoke', 'client_nope', '--json']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.json.error).toMatch(/no client with id/);
  });

  it('a flag it does not know refuses the whole command before anything is written', async () => {
    const before = (await chronos(['clients', 'list', '--json'])).json.clients.length;
    const run = await chronos(['clients', 'create', '--name', 'typo', '--scope', 'wallet', '--json']);
    expect(run.code).toBe(2);
    expect(run.json).toEqual({ error: expect.stringMatching(/unknown option '--scope'.*`chronos clients create --help`/), code: 'USAGE_ERROR' });
    expect((await chronos(['clients', 'list', '--json'])).json.clients).toHaveLength(before);
  });

  it.each([
    [['clients', 'create', '--json'], /--name/],
    [['clients', 'create', '--name', 'x', '--scopes', 'wallet,root', '--json'], /unknown scope/],
    [['clients', 'create', '--name', 'x', '--webhook-url', 'ftp://x', '--json'], /http or https/],
    [['clients', 'set-rate-limit', 'client_x', 'burst=5', '--json'], /unknown rate-limit category/],
    [['clients', 'show', 'client_nope', '--json'], /no client with id/],
    [['clients', 'frobnicate', '--json'], /unknown clients command/],
  ])('refuses %j with a non-zero exit and a one-object error', async (args, message) => {
    const run = await chronos(args as string[]);
    expect(run.code).not.toBe(0);
    expectOneJsonObject(run);
    expect(run.json.error).toMatch(message);
  });
});
