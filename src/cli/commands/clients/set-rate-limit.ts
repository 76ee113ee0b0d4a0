import { setRateLimits } from '../../../admin/clients.js';
import { parseRateLimits } from '../../../policy/rate-limit-categories.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const overrides = parseRateLimits(args.SPEC);
  const client = await withAdminDb((db) => setRateLimits(db, args.ID, overrides));
  out.result(client, [`rate limits of ${client.clientId}: ${JSON.stringify(client.rateLimits)}`]);
}
