import type { Address } from 'viem';
import { createClient } from '../../../admin/clients.js';
import { parseScopes } from '../../../auth/scopes.js';
import { parseRateLimits } from '../../../admin/rate-limits.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { authorize, describeAuthorization } from './signer.js';
import { checkDestination } from './webhook-destination.js';

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

export async function run({ out, options }: CommandInput): Promise<void> {
  const name = text(options.name);
  if (!name?.trim()) throw new UsageError('--name must not be empty');
  // Parsed before connecting: a typo should not need a database.
  const scopes = options.scopes === undefined ? undefined : parseScopes(text(options.scopes)!);
  const rateLimits = options['rate-limit'] === undefined ? undefined : parseRateLimits(text(options['rate-limit'])!);
  const webhookUrl = text(options['webhook-url']);
  await withAdminDb(async (db, env) => {
    if (webhookUrl !== undefined) await checkDestination(env, webhookUrl);
    const created = await createClient(db, { name, scopes, webhookUrl, signerAddress: text(options.signer), rateLimits });
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
