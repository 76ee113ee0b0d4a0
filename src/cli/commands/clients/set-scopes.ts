import { setScopes } from '../../../admin/clients.js';
import { parseScopes } from '../../../auth/scopes.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const scopes = parseScopes(args.LIST);
  const client = await withAdminDb((db) => setScopes(db, args.ID, scopes));
  out.result(client, [`scopes of ${client.clientId}: ${client.scopes.join(',')}`]);
}
