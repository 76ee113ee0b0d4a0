import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, http, zeroHash, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { runChronosCli, type CliRun } from '../support/cli.js';
import { testStackEnv } from '../support/stack-env.js';
import { chronosPaymasterAbi, chronosTokenAbi, claimVaultAbi } from '../../src/chain/contracts/abi.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { ANVIL_DEV_KEYS, EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';
import type { DevFile } from '../../src/runtime/home.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'chronos-cli-contracts-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const oneJsonObject = (run: CliRun) => {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return run.json;
};

describe('chronos contracts compile', () => {
  it('compiles contracts/*.sol with solc even when a cached result exists (--force), and writes { abi, bytecode } files with --out', async () => {
    const out = join(folder, 'artifacts');
    const run = await runChronosCli(['contracts', 'compile', '--force', '--out', out, '--json'], {});
    expect(run.code).toBe(0);
    expect(oneJsonObject(run)).toEqual({
      contracts: {
        ChronosToken: { bytecodeBytes: expect.any(Number), abiEntries: expect.any(Number) },
        ClaimVault: { bytecodeBytes: expect.any(Number), abiEntries: expect.any(Number) },
        ChronosPaymaster: { bytecodeBytes: expect.any(Number), abiEntries: expect.any(Number) },
        ChronosEscrow: { bytecodeBytes: expect.any(Number), abiEntries: expect.any(Number) },
        ChronosCertificate: { bytecodeBytes: expect.any(Number), abiEntries: expect.any(Number) },
      },
      out,
    });
    const compiled = await compileContracts();
    for (const name of ['ChronosToken', 'ClaimVault', 'ChronosPaymaster', 'ChronosEscrow', 'ChronosCertificate'] as const) {
      const written = JSON.parse(await readFile(join(out, `${name}.json`), 'utf8'));
      expect(written).toEqual(compiled[name]);
      expect(run.json.contracts[name]).toEqual({ bytecodeBytes: (compiled[name].bytecode.length - 2) / 2, abiEntries: compiled[name].abi.length });
    }
  });

  it('npm run contracts:compile runs it', async () => {
    const { scripts } = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> };
    const script = scripts['contracts:compile'];
    expect(script).toMatch(/^node bin\/chronos\.js /);
    const run = await runChronosCli(script.split(' ').slice(2), {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ChronosToken +\d+ bytes of bytecode/m);
  });
});

describe('chronos contracts deploy', () => {
  const stack = () => testStackEnv();
  const publicClient = () => createPublicClient({ transport: http(stack().rpcUrl) });

  const expectDeployed = async (run: CliRun, owner: Address, paymasterSigner?: Address) => {
    expect(run.code).toBe(0);
    const result = oneJsonObject(run);
    expect(result).toMatchObject({
      token: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      claimVault: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      owner,
      chainId: stack().chainId,
    });
    const client = publicClient();
    expect(await client.readContract({ address: result.token, abi: chronosTokenAbi, functionName: 'owner' })).toBe(owner);
    // The vault serves any token (claims keyed by claimer): it answers for an unused claim id.
    expect(await client.readContract({ address: result.claimVault, abi: claimVaultAbi, functionName: 'used', args: [owner, zeroHash] })).toBe(false);
    if (paymasterSigner) {
      // The paymaster trusts the signer, pays through EntryPoint v0.7, and is owned by the deployer.
      const read = (functionName: 'verifyingSigner' | 'entryPoint' | 'owner') =>
        client.readContract({ address: result.paymaster, abi: chronosPaymasterAbi, functionName });
      expect([await read('verifyingSigner'), await read('entryPoint'), await read('owner')]).toEqual([paymasterSigner, ENTRY_POINT_07_ADDRESS, owner]);
    } else {
      expect(result).not.toHaveProperty('paymaster');
    }
    return result as { token: Address; claimVault: Address };
  };

  it('deploys ChronosToken, ClaimVault and ChronosPaymaster to RPC_URL/CHAIN_ID, owned by DEPLOYER_PRIVATE_KEY', async () => {
    const key: Hex = ANVIL_DEV_KEYS[7];
    const signerKey = generatePrivateKey();
    const run = await runChronosCli(['contracts', 'deploy', '--json'], {
      RPC_URL: stack().rpcUrl,
      CHAIN_ID: String(stack().chainId),
      DEPLOYER_PRIVATE_KEY: key,
      PAYMASTER_SIGNER_KEY: signerKey,
    });
    const deployed = await expectDeployed(run, privateKeyToAccount(key).address, privateKeyToAccount(signerKey).address);
    expect(run.json.embedded).toBe(false);
    expect([deployed.token, deployed.claimVault]).not.toContain(stack().token);
  });

  it('deploys no paymaster when a hosted one (PAYMASTER_URL) sponsors', async () => {
    const key: Hex = ANVIL_DEV_KEYS[7];
    const run = await runChronosCli(['contracts', 'deploy', '--json'], {
      RPC_URL: stack().rpcUrl,
      CHAIN_ID: String(stack().chainId),
      DEPLOYER_PRIVATE_KEY: key,
      PAYMASTER_URL: 'https://paymaster.test/rpc',
    });
    await expectDeployed(run, privateKeyToAccount(key).address);
  });

  it('in a folder where the embedded default runs, finds the chain in .chronos/dev.json and deploys with its deployer key', async () => {
    const project = join(folder, 'project');
    await mkdir(join(project, '.chronos'), { recursive: true });
    // Only the chain fields matter to a deployment; the rest is what `chronos start` writes alongside.
    const dev: Partial<DevFile> = {
      rpcUrl: stack().rpcUrl,
      chainId: stack().chainId,
      token: stack().token,
      claimVault: stack().claimVault,
      databaseUrl: 'postgres://unused',
    };
    await writeFile(join(project, '.chronos', 'dev.json'), JSON.stringify(dev));
    const run = await runChronosCli(['contracts', 'deploy', '--json'], {}, { cwd: project });
    // The paymaster trusts the embedded default's key from .chronos/secrets.json (created if missing).
    const { paymasterSignerKey } = JSON.parse(await readFile(join(project, '.chronos', 'secrets.json'), 'utf8')) as { paymasterSignerKey: Hex };
    await expectDeployed(run, privateKeyToAccount(EMBEDDED_DEPLOYER_PRIVATE_KEY).address, privateKeyToAccount(paymasterSignerKey).address);
    expect(run.json.embedded).toBe(true);
  });

  it.each([
    [{}, /RPC_URL and CHAIN_ID are not set and no \.chronos\/dev\.json is here/],
    [{ DATABASE_URL: 'postgres://somewhere/db' }, /DATABASE_URL is set .* RPC_URL and CHAIN_ID must be set too/],
    [{ RPC_URL: 'http://127.0.0.1:1' }, /RPC_URL and CHAIN_ID must both be set/],
    [{ RPC_URL: 'http://127.0.0.1:1', CHAIN_ID: 'mainnet' }, /CHAIN_ID must be a positive whole number/],
    [{ RPC_URL: 'http://127.0.0.1:1', CHAIN_ID: '1' }, /DEPLOYER_PRIVATE_KEY must be set/],
    [{ RPC_URL: 'http://127.0.0.1:1', CHAIN_ID: '1', DEPLOYER_PRIVATE_KEY: ANVIL_DEV_KEYS[7] }, /PAYMASTER_SIGNER_KEY must be set .* Or set PAYMASTER_URL/],
  ])('with %j (and no dev.json), refuses with exit 2 and says what to set', async (env, message) => {
    const empty = await mkdtemp(join(folder, 'empty-'));
    const run = await runChronosCli(['contracts', 'deploy', '--json'], env as Record<string, string>, { cwd: empty });
    expect(run.code).toBe(2);
    expect(oneJsonObject(run)).toEqual({ error: expect.stringMatching(message), code: 'USAGE_ERROR' });
  });
});
