import { setWebhook } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { checkDestination } from './webhook-destination.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const url = args.URL === 'none' ? null : args.URL;
  const client = await withAdminDb(async (db, env) => {
    if (url !== null) await checkDestination(env, url);
    return setWebhook(db, args.ID, url);
  });
  // Any earlier 410 Gone flag is cleared by this: say so, since deliveries start going out again.
  out.result(client, [`webhook of ${client.clientId}: ${client.webhookUrl ?? 'none'}${client.webhookUrl ? ' (enabled)' : ''}`]);
}
