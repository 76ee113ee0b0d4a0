import { listClientViews, type ClientView } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out }: CommandInput): Promise<void> {
  const clients = await withAdminDb((db) => listClientViews(db));
  out.result({ clients }, clients.length ? clients.map(line) : ['no clients']);
}

function line(c: ClientView): string {
  return `${c.clientId}  ${c.name}  scopes=${c.scopes.join(',')}${c.revoked ? '  REVOKED' : ''}${c.webhookUrl ? `  webhook=${c.webhookUrl}` : ''}${c.webhookDisabledAt ? `  WEBHOOK DISABLED since ${c.webhookDisabledAt}` : ''}`;
}
