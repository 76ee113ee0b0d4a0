// The embedded default generates its MASTER_KEY and JWT_SECRET once and keeps them beside its data,
// so wallets and tokens survive restarts. Production passes both as configuration instead.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hex } from 'viem';

export type EmbeddedSecrets = { masterKey: Hex; jwtSecret: string };

export async function loadOrCreateSecrets(home: string): Promise<EmbeddedSecrets> {
  const path = join(home, 'secrets.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as EmbeddedSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secrets: EmbeddedSecrets = {
    masterKey: `0x${randomBytes(32).toString('hex')}`,
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  await writeFile(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
