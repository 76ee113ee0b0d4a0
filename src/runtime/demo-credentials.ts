// `chronos clients rotate-secret | rotate-webhook-secret` on the embedded default's demo client: the
// new secret replaces the old one in dev.json, so scripts reading it, and the next start's banner, keep
// working with the secrets that are actually valid.
import { readDevFile, writeDevFile, type DevFile } from './home.js';

/** True when `clientId` is the demo client of the embedded folder `home` and dev.json was updated. */
export async function recordDemoClientSecrets(
  home: string,
  clientId: string,
  secrets: Partial<Pick<DevFile['demoClient'], 'clientSecret' | 'webhookSecret'>>,
): Promise<boolean> {
  const dev = await readDevFile(home);
  if (!dev || dev.demoClient.clientId !== clientId) return false;
  await writeDevFile(home, { ...dev, demoClient: { ...dev.demoClient, ...secrets } });
  return true;
}
