import type { Address } from 'viem';
import { createClient } from '../../../admin/clients.js';
import { parseScopes } from '../../../auth/scopes.js';
import { parseRateLimits } from '../../../admin/rate-limits.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { authorize, describeAuthorization } from './signer.js';
import { checkDestination } from './webhook-destination.js';

export async function run({ out, options }: CommandInput): Promise<void> {
  const flag = (name: string) => { const value = options[name]; return typeof value === 'string' ? value : undefined; };
  const [name, scopeList, webhookUrl, signerAddress, rateLimitSpec] = [flag('name'), flag('scopes'), flag('webhook-url'), flag('signer'), flag('rate-limit')];
  if (!name?.trim()) throw new UsageError('--name must not be empty');
  // Parsed before connecting: a typo should not need a database.
  const scopes = scopeList === undefined ? undefined : parseScopes(scopeList);
  const rateLimits = rateLimitSpec === undefined ? undefined : parseRateLimits(rateLimitSpec);
  await withAdminDb(async (db, env) => {
    if (webhookUrl !== undefined) await checkDestination(env, webhookUrl);
    const created = await createClient(db, { name, scopes, webhookUrl, signerAddress, rateLimits });
    const signer = created.client.signerAddress ? await authorize(env, created.client.signerAddress as Address) : undefined;
    out.result({ ...created.client, clientSecret: created.clientSecret, webhookSecret: created.webhookSecret, ...(signer && { signerAuthorization: signer }) }, [
      `client created: ${created.client.clientId} (${created.client.name})`,
      `  clientSecret:  ${created.clientSecret}   (shown once; store it now)`,
      `  webhookSecret: ${created.webhookSecret}`,
      `  scopes:        ${created.client.scopes.join(',')}`,
      ...(signer ? [describeAuthorization(signer)] : []),
    ]);
  });
}
