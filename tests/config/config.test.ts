import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { parseConfig, wantsEmbeddedStack, ConfigError } from '../../src/config/load.js';
import { createTestDatabase, dropTestDatabase } from '../support/test-app.js';
import { testStackEnv } from '../support/stack-env.js';
import { collectOutput } from '../support/processes.js';
import { externalEnv } from '../support/external-env.js';

const valid = externalEnv;

const hosted = { ...valid, PAYMASTER_URL: 'http://127.0.0.1:4338', PAYMASTER_SIGNER_KEY: undefined, PAYMASTER_ADDRESS: undefined };

describe('sponsorship', () => {
  it("is Chronos's own paymaster by default, with a validity window of a few minutes and an hour's deposit cover", () => {
    expect(parseConfig(valid, 'external').sponsorship).toEqual({
      mode: 'own',
      paymaster: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
      signerKey: valid.PAYMASTER_SIGNER_KEY,
      validSeconds: 180,
      minCoverSeconds: 3600,
    });
    expect(parseConfig({ ...valid, PAYMASTER_DEPOSIT_MIN_COVER_SECONDS: '0' }, 'external').sponsorship).toMatchObject({ minCoverSeconds: 0 });
    expect(() => parseConfig({ ...valid, PAYMASTER_DEPOSIT_MIN_COVER_SECONDS: '-1' }, 'external')).toThrow(/^PAYMASTER_DEPOSIT_MIN_COVER_SECONDS /m);
    expect(parseConfig({ ...valid, SPONSORSHIP_VALID_SECONDS: '60' }, 'external').sponsorship).toMatchObject({ validSeconds: 60 });
    expect(() => parseConfig({ ...valid, SPONSORSHIP_VALID_SECONDS: '5' }, 'external')).toThrow(/^SPONSORSHIP_VALID_SECONDS /m);
  });

  it('is the ERC-7677 service at PAYMASTER_URL when that is set, and then needs no paymaster of its own', () => {
    expect(parseConfig(hosted, 'external').sponsorship).toEqual({ mode: 'hosted', url: 'http://127.0.0.1:4338' });
    expect(parseConfig(hosted, 'external').contracts).not.toHaveProperty('paymaster', expect.anything());
  });

  it('is exactly one mode: both at once, or half of the own one, is refused naming the variables', () => {
    expect(() => parseConfig({ ...valid, PAYMASTER_URL: 'http://127.0.0.1:4338' }, 'external')).toThrow(
      /^PAYMASTER_URL and PAYMASTER_SIGNER_KEY and PAYMASTER_ADDRESS are both set: exactly one sponsorship mode is active/m,
    );
    expect(() => parseConfig({ ...valid, PAYMASTER_SIGNER_KEY: undefined }, 'external')).toThrow(
      /^PAYMASTER_SIGNER_KEY is required \(Chronos's own paymaster/m,
    );
    expect(() => parseConfig({ ...valid, PAYMASTER_ADDRESS: undefined }, 'external')).toThrow(/^PAYMASTER_ADDRESS is required \(Chronos's own paymaster/m);
  });
});

describe('PAYMASTER_CONTEXT', () => {
  it('is read as a JSON object for the hosted paymaster, and absent when unset', () => {
    expect(parseConfig({ ...hosted, PAYMASTER_CONTEXT: '{"sponsorshipPolicyId":"sp_1"}' }, 'external').sponsorship).toEqual({
      mode: 'hosted',
      url: 'http://127.0.0.1:4338',
      context: { sponsorshipPolicyId: 'sp_1' },
    });
    expect(parseConfig(hosted, 'external').sponsorship).not.toHaveProperty('context');
  });

  it('is refused with our own paymaster, which has no use for it', () => {
    expect(() => parseConfig({ ...valid, PAYMASTER_CONTEXT: '{"a":1}' }, 'external')).toThrow(/^PAYMASTER_CONTEXT is only sent to a hosted paymaster/m);
  });

  it.each(['not json', '[1,2]', '"sp_1"', 'null', '42'])('refuses %s', (value) => {
    expect(() => parseConfig({ ...hosted, PAYMASTER_CONTEXT: value }, 'external')).toThrow(/^PAYMASTER_CONTEXT must be a JSON object/m);
  });
});

describe('configuration', () => {
  it('parses a complete environment into a frozen config with defaults', () => {
    const config = parseConfig(valid, 'external');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.chain.chainId).toBe(31337);
    expect(config.contracts.token).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3');
    expect(config.contracts.entryPoint).toBe('0x0000000071727De22E5E9d8BAf0edAc6f37da032');
    expect(config.webhooks.maxAttempts).toBe(8);
  });

  it.each([
    ['RPC_URL', { RPC_URL: undefined }, /^RPC_URL is required$/],
    ['RPC_URL', { RPC_URL: 'not a url' }, /^RPC_URL must be a http or https URL$/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }, /^DATABASE_URL /],
    ['CHAIN_ID', { CHAIN_ID: 'abc' }, /^CHAIN_ID /],
    ['JWT_SECRET', { JWT_SECRET: 'short' }, /^JWT_SECRET must be at least 32 characters$/],
    ['MASTER_KEY', { MASTER_KEY: '0x1234' }, /^MASTER_KEY must be 0x followed by 64 hex/],
    ['TOKEN_ADDRESS', { TOKEN_ADDRESS: '0xnope' }, /^TOKEN_ADDRESS must be a 0x-prefixed 20-byte address$/],
    ['PORT', { PORT: '70000' }, /^PORT /],
  ])('names %s when it is missing or malformed', (_name, change, message) => {
    expect(() => parseConfig({ ...valid, ...change }, 'external')).toThrow(ConfigError);
    expect(() => parseConfig({ ...valid, ...change }, 'external')).toThrow(message);
  });

  it('reports every missing or malformed variable at once, one per line', () => {
    const run = () => parseConfig({ ...valid, RPC_URL: undefined, CHAIN_ID: 'abc', JWT_SECRET: 'short', PORT: '70000' }, 'external');
    expect(run).toThrow(ConfigError);
    try {
      run();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'RPC_URL is required',
        expect.stringMatching(/^CHAIN_ID /),
        'JWT_SECRET must be at least 32 characters',
        expect.stringMatching(/^PORT /),
      ]);
      expect((error as Error).message.split('\n')).toHaveLength(5);
    }
  });

  it.each([
    ['MASTER_KEY', { MASTER_KEY: `0x${'0'.repeat(64)}` }, /^MASTER_KEY must be 32 random bytes, not zeros/],
    ['JWT_SECRET', { JWT_SECRET: 'change-me-to-a-long-random-string-of-32-or-more-characters' }, /^JWT_SECRET is still the .env.example placeholder/],
    ['TOKEN_ADDRESS', { TOKEN_ADDRESS: `0x${'0'.repeat(40)}` }, /^TOKEN_ADDRESS must be a deployed contract, not the zero address$/],
    ['RPC_URL', { RPC_URL: 'https://rpc.example.com' }, /^RPC_URL is still the .env.example placeholder/],
  ])('refuses the .env.example placeholder of %s', (_name, change, message) => {
    expect(() => parseConfig({ ...valid, ...change }, 'external')).toThrow(message);
  });

  it('refuses a worker staleness shorter than three heartbeats, which would take jobs from live workers', () => {
    expect(() => parseConfig({ ...valid, WORKER_HEARTBEAT_MS: '2000', WORKER_STALE_AFTER_MS: '5000' }, 'external')).toThrow(
      'WORKER_STALE_AFTER_MS (5000) must be at least 3 × WORKER_HEARTBEAT_MS (2000)',
    );
    expect(parseConfig({ ...valid, WORKER_HEARTBEAT_MS: '2000', WORKER_STALE_AFTER_MS: '6000' }, 'external').worker.liveness.staleAfterMs).toBe(6000);
  });

  it('binds the API to loopback in embedded mode unless HOST says otherwise', () => {
    expect(parseConfig(valid, 'embedded').host).toBe('127.0.0.1');
    expect(parseConfig({ ...valid, HOST: '0.0.0.0' }, 'embedded').host).toBe('0.0.0.0');
    expect(parseConfig(valid, 'external').host).toBe('0.0.0.0');
  });

  it('keeps the embedded stack when .env is a plain copy of .env.example', () => {
    const copied = parseDotenv(readFileSync(join(process.cwd(), '.env.example')));
    expect(wantsEmbeddedStack(copied)).toBe(true);
  });

  it('uses the embedded stack only when no external part is configured', () => {
    expect(wantsEmbeddedStack({})).toBe(true);
    expect(wantsEmbeddedStack({ PORT: '3000', JWT_SECRET: 'x' })).toBe(true);
    expect(wantsEmbeddedStack({ DATABASE_URL: 'postgres://x/y' })).toBe(false);
    expect(wantsEmbeddedStack({ RPC_URL: 'http://x' })).toBe(false);
  });
});

describe('chronos api with bad configuration', () => {
  it('exits non-zero with one line naming the variable', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'chronos-config-'));
    const result = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), 'api'], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...valid, RPC_URL: 'ftp://nope' },
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/RPC_URL must be a http or https URL/);
  });

  it('refuses a partial external configuration, naming every missing variable on its own line', () => {
    const result = chronos('api', { DATABASE_URL: valid.DATABASE_URL });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'chronos: configuration error: 9 problems',
      ...['RPC_URL', 'BUNDLER_URL', 'CHAIN_ID', 'JWT_SECRET', 'MASTER_KEY', 'TOKEN_ADDRESS', 'CLAIM_VAULT_ADDRESS'].map((name) => `  ${name} is required`),
      ...['PAYMASTER_SIGNER_KEY', 'PAYMASTER_ADDRESS'].map(
        (name) => `  ${name} is required (Chronos's own paymaster sponsors unless PAYMASTER_URL names an ERC-7677 one)`,
      ),
    ]);
  });
});

/** `chronos <role>` in an empty folder (no .env, no .chronos of the checkout), with only `env`. */
function chronos(role: string, env: Record<string, string>, cwd = mkdtempSync(join(tmpdir(), 'chronos-config-'))) {
  return spawnSync(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), role], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, CHRONOS_HOME: join(cwd, '.chronos'), ...env },
    timeout: 30_000,
  });
}

describe('chronos start with bad configuration', () => {
  it('names LOG_LEVEL when it is not a level, before bringing anything up', () => {
    const result = chronos('start', { LOG_LEVEL: 'loud' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^chronos: configuration error: LOG_LEVEL Invalid option: expected one of "fatal"/),
    ]);
  });

  it('says which variable of .env switched it to external services', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'chronos-config-'));
    writeFileSync(join(cwd, '.env'), `DATABASE_URL=${valid.DATABASE_URL}\n`);
    const result = chronos('start', {}, cwd);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('chronos: configuration error: 9 problems');
    expect(lines.at(-1)).toBe(
      `  (external services, not the embedded stack, because DATABASE_URL is set (from ${join(cwd, '.env')}); unset all of DATABASE_URL, RPC_URL, BUNDLER_URL, PAYMASTER_URL for the embedded stack)`,
    );
  });
});

describe('chronos api against a chain with another id', () => {
  it('refuses to start when CHAIN_ID differs from the chain id the RPC serves', async () => {
    const stack = testStackEnv();
    const databaseUrl = await createTestDatabase();
    try {
      const child = spawn(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), 'api'], {
        cwd: mkdtempSync(join(tmpdir(), 'chronos-config-')),
        env: {
          PATH: process.env.PATH,
          ...valid,
          DATABASE_URL: databaseUrl,
          RPC_URL: stack.rpcUrl,
          BUNDLER_URL: stack.bundlerUrl,
          TOKEN_ADDRESS: stack.token,
          CLAIM_VAULT_ADDRESS: stack.claimVault,
          PAYMASTER_ADDRESS: stack.paymaster,
          CHAIN_ID: String(stack.chainId + 1),
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
      });
      const output = collectOutput(child);
      // A process that wrongly starts serving is stopped by the test rather than left running.
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(timer);
      expect({ code, stdout: output.stdout().includes('chronos is running') ? 'running' : '' }).toEqual({ code: 1, stdout: '' });
      expect(output.stderr().trim().split('\n')).toEqual([
        `chronos: configuration error: 2 problems`,
        `  CHAIN_ID is ${stack.chainId + 1} but RPC_URL serves chain ${stack.chainId}`,
        `  CHAIN_ID is ${stack.chainId + 1} but BUNDLER_URL serves chain ${stack.chainId}`,
      ]);
    } finally {
      await dropTestDatabase(databaseUrl);
    }
  }, 60_000);
});
