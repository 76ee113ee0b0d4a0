// Every contract the registry declares is wired all the way through: its Solidity compiles, its
// hand-written ABI matches, it has a configuration variable (schema, loader, .env.example), the
// embedded stack records it in dev.json and the banner shows it, and the test stack deploys it.
import { existsSync, readFileSync } from 'node:fs';
import { createPublicClient, http, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { CHRONOS_CONTRACTS, chronosContract, contractEnvironment, mapChronosContracts } from '../../src/chain/contracts/registry.js';
import { compileContracts } from '../../src/chain/contracts/compile.js';
import { envSchema } from '../../src/config/schema.js';
import { parseConfig } from '../../src/config/load.js';
import { devFileContracts } from '../../src/runtime/embedded-stack.js';
import { bannerText } from '../../src/runtime/banner.js';
import type { DevFile } from '../../src/runtime/home.js';
import { TEST_PAYMASTER_SIGNER_KEY, testStackEnv } from '../support/stack-env.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { expectAbiMatches } from './support.js';
import { externalEnvWithoutContracts } from '../support/external-env.js';

const entries = CHRONOS_CONTRACTS.map((c) => [c.name, c] as const);
/** Checksummed, and with no code on any chain: one per registry entry. */
const freshAddress = () => privateKeyToAccount(generatePrivateKey()).address;
const sample = mapChronosContracts(freshAddress);

describe('the contracts registry', () => {
  it('names each contract, key and configuration variable once, apart from the canonical entryPoint and accountFactory', () => {
    for (const field of ['name', 'source', 'key', 'variable', 'label'] as const) {
      const values = CHRONOS_CONTRACTS.map((c) => c[field]);
      expect(new Set(values).size).toBe(values.length);
    }
    expect(CHRONOS_CONTRACTS.map((c) => c.key)).not.toEqual(expect.arrayContaining(['entryPoint']));
    expect(CHRONOS_CONTRACTS.map((c) => c.key)).not.toEqual(expect.arrayContaining(['accountFactory']));
    expect(chronosContract('token').name).toBe('ChronosToken');
  });

  it('has two per-client contracts, the token and the certificates: a client records an address of its own for each (clients.token_address, clients.certificate_address)', () => {
    expect(CHRONOS_CONTRACTS.filter((c) => c.scope === 'per-client').map((c) => c.key)).toEqual(['token', 'certificate']);
  });

  it.each(entries)('%s: its source file declares it, and it compiles to what its hand-written ABI says', async (name, contract) => {
    expect(existsSync(contract.source)).toBe(true);
    expect(readFileSync(contract.source, 'utf8')).toMatch(new RegExp(`^contract ${name}\\b`, 'm'));
    const compiled = (await compileContracts())[name];
    expect(compiled.bytecode).toMatch(/^0x([0-9a-f]{2})+$/);
    expect(contract.abi.length).toBeGreaterThan(0);
    expectAbiMatches(contract.abi, compiled.abi);
  });

  it.each(entries)(
    '%s: its variable is in the config schema (required unless optional by design), listed in .env.example, and loaded under its key',
    (_name, contract) => {
      expect(Object.keys(envSchema.shape)).toContain(contract.variable);
      expect(readFileSync('.env.example', 'utf8')).toMatch(new RegExp(`^# ${contract.variable}=`, 'm'));
      const env = { ...externalEnvWithoutContracts, ...contractEnvironment(sample) };
      expect(parseConfig(env, 'external').contracts[contract.key]).toBe(sample[contract.key]);
      // The escrow's is optional: without it the payments endpoints are off (503), nothing else changes.
      // The deployment's certificate contract likewise: each client issues on its own.
      if (contract.needed === 'payments' || contract.needed === 'certificates')
        return expect(parseConfig({ ...env, [contract.variable]: '' }, 'external').contracts[contract.key]).toBeUndefined();
      // The paymaster's is required unless a hosted paymaster (PAYMASTER_URL) sponsors instead.
      expect(() => parseConfig({ ...env, [contract.variable]: '' }, 'external')).toThrow(new RegExp(`^${contract.variable} is required( \\(|$)`, 'm'));
      const hosted = { ...env, PAYMASTER_URL: 'http://127.0.0.1:4338', PAYMASTER_SIGNER_KEY: '', PAYMASTER_ADDRESS: '', [contract.variable]: '' };
      if (contract.needed === 'own-sponsorship') expect(parseConfig(hosted, 'external').contracts[contract.key]).toBeUndefined();
      else expect(() => parseConfig(hosted, 'external')).toThrow(new RegExp(`^${contract.variable} is required$`, 'm'));
    },
  );

  it.each(entries)('%s: the embedded stack records it in dev.json under its key, and the banner shows it', (_name, contract) => {
    const demo = { token: freshAddress(), certificate: freshAddress() };
    const recorded = devFileContracts(sample, { demoToken: demo.token, demoCertificate: demo.certificate });
    // dev.json's token and certificate contract are the demo client's own; every other entry is the deployment's.
    expect(recorded[contract.key]).toBe(contract.scope === 'per-client' ? demo[contract.key as 'token' | 'certificate'] : sample[contract.key]);
    const banner = bannerText({
      ...recorded,
      demoClient: { clientId: 'c', clientSecret: 's', webhookSecret: 'w' },
      apiUrl: 'http://127.0.0.1:3000',
    } as DevFile);
    expect(banner).toMatch(new RegExp(`^  ${contract.label} +${recorded[contract.key]}$`, 'm'));
  });

  it.each(entries)('%s: the test stack deploys it, and the embedded stack would reuse that deployment but not an empty address', async (_name, contract) => {
    const stack = testStackEnv();
    const client = createPublicClient({ transport: http(stack.rpcUrl) });
    expect(await client.getCode({ address: stack[contract.key] })).toMatch(/^0x[0-9a-f]+$/);
    const context = { owner: freshAddress(), entryPoint: ENTRY_POINT_07_ADDRESS, paymasterSigner: privateKeyToAccount(TEST_PAYMASTER_SIGNER_KEY).address };
    expect(await contract.isCurrent(client, stack[contract.key], context)).toBe(true);
    expect(await contract.isCurrent(client, sample[contract.key] as Address, context)).toBe(false);
    // A paymaster trusting another signer would refuse what we sign: not current, redeployed.
    if (contract.key === 'paymaster')
      expect(await contract.isCurrent(client, stack[contract.key], { ...context, paymasterSigner: freshAddress() })).toBe(false);
  });
});
