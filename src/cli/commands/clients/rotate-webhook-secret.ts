import { rotateWebhookSecret } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const { client, webhookSecret, previousSecretValidUntil } = await withAdminDb((db) => rotateWebhookSecret(db, args.ID));
  out.result({ ...client, webhookSecret, previousSecretValidUntil }, [
    `new webhookSecret for ${client.clientId}: ${webhookSecret}`,
    `deliveries carry both signatures until ${previousSecretValidUntil}`,
  ]);
}
