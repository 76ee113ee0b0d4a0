import { revokeClient } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const client = await withAdminDb((db) => revokeClient(db, args.ID));
  out.result(client, [`client ${client.clientId} revoked; its tokens stop working within seconds`]);
}
