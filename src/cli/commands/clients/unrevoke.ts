import { unrevokeClient } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const client = await withAdminDb((db) => unrevokeClient(db, args.ID));
  out.result(client, [`client ${client.clientId} is live again; tokens issued before now stay refused`]);
}
