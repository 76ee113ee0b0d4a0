// The embedded default generates its MASTER_KEY, JWT_SECRET and PAYMASTER_SIGNER_KEY once and keeps
// them beside its data, so wallets, tokens and the paymaster survive restarts. Production passes them
// as configuration instead.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hex } from 'viem';

export type EmbeddedSecrets = { masterKey: Hex; jwtSecret: string; paymasterSignerKey: Hex };

const randomKey = (): Hex => `0x${randomBytes(32).toString('hex')}`;

/** Reads `.chronos/secrets.json`, creating it, or adding what a file from an older version lacks. */
export async function loadOrCreateSecrets(home: string): Promise<EmbeddedSecrets> {
  const path = join(home, 'secrets.json');
  let stored: Partial<EmbeddedSecrets> = {};
  try {
    stored = JSON.parse(await readFile(path, 'utf8')) as Partial<EmbeddedSecrets>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets: EmbeddedSecrets = {
    masterKey: stored.masterKey ?? randomKey(),
    jwtSecret: stored.jwtSecret ?? randomBytes(48).toString('base64url'),
    paymasterSignerKey: stored.paymasterSignerKey ?? randomKey(),
  };
  if (Object.keys(stored).length < Object.keys(secrets).length) {
    await mkdir(home, { recursive: true });
    await writeFile(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
