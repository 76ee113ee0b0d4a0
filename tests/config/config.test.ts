import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, wantsEmbeddedStack, ConfigError } from '../../src/config/load.js';

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/chronos',
  RPC_URL: 'http://127.0.0.1:8545',
  BUNDLER_URL: 'http://127.0.0.1:4337',
  PAYMASTER_URL: 'http://127.0.0.1:4338',
  CHAIN_ID: '31337',
  JWT_SECRET: 'x'.repeat(32),
  MASTER_KEY: `0x${'11'.repeat(32)}`,
  TOKEN_ADDRESS: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  CLAIM_VAULT_ADDRESS: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
};

describe('configuration', () => {
  it('parses a complete environment into a frozen config with defaults', () => {
    const config = parseConfig(valid, 'external');
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.port).toBe(3000);
    expect(config.chain.chainId).toBe(31337);
    expect(config.contracts.token).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3');
    expect(config.contracts.entryPoint).toBe('0x0000000071727De22E5E9d8BAf0edAc6f37da032');
    expect(config.webhooks.maxAttempts).toBe(5);
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
      cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...valid, RPC_URL: 'ftp://nope' }, timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/RPC_URL must be a http or https URL/);
  });

  it('refuses a partial external configuration, naming the first missing variable', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'chronos-config-'));
    const result = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'chronos.js'), 'api'], {
      cwd, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_URL: valid.DATABASE_URL }, timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/RPC_URL is required/)]);
  });
});
