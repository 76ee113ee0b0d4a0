import { rotateClientSecret } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const { client, clientSecret } = await withAdminDb((db) => rotateClientSecret(db, args.ID));
  out.result({ ...client, clientSecret }, [`new clientSecret for ${client.clientId}: ${clientSecret}   (shown once)`]);
}
