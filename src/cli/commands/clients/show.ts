import { showClient } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const client = await withAdminDb((db) => showClient(db, args.ID));
  out.result(
    client,
    Object.entries(client).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`),
  );
}
