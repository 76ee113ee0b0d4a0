import { rotateWebhookSecret } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { chronosHome } from '../../../runtime/home.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const { client, webhookSecret, previousSecretValidUntil } = await withAdminDb(async (db, env) => {
    const rotated = await rotateWebhookSecret(db, args.ID);
    // The demo client's webhook secret is also in .chronos/dev.json and the banner.
    if (env.embedded)
      await (await import('../../../runtime/demo-credentials.js')).recordDemoClientSecrets(chronosHome(), rotated.client.clientId, {
        webhookSecret: rotated.webhookSecret,
      });
    return rotated;
  });
  out.result({ ...client, webhookSecret, previousSecretValidUntil }, [
    `new webhookSecret for ${client.clientId}: ${webhookSecret}`,
    `deliveries carry both signatures until ${previousSecretValidUntil}`,
  ]);
}
